import { workerRoute } from "@/lib/server/http/worker-route";
import { workerHeartbeat } from "@/lib/server/workers/worker-api";

/** Every few seconds: GPU utilisation in, runs to cancel out. */
export const POST = workerRoute((worker, body) => workerHeartbeat(worker, body));
