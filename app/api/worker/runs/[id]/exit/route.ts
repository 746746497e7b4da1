import { workerRoute } from "@/lib/server/http/worker-route";
import { reportWorkerExit } from "@/lib/server/workers/worker-api";

/** How a launched process ended on the worker: settles the launch and, unless the trainer reported one, the run's status. */
export const POST = workerRoute((worker, body, params) => reportWorkerExit(worker, params.id, body));
