import { workerRoute } from "@/lib/http/worker-route";
import { reportWorkerExit } from "@/lib/workers/worker-api";

/** How a launched process ended on the worker: settles the launch and, unless the trainer reported one, the run's status. */
export const POST = workerRoute((worker, body, params) => reportWorkerExit(worker, params.id, body));
