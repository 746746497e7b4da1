import { workerRoute } from "@/lib/server/http/worker-route";
import { registerWorker } from "@/lib/server/workers/worker-api";

/** A worker starting up: its host, GPUs, backend and version. */
export const POST = workerRoute((worker, body) => registerWorker(worker, body));
