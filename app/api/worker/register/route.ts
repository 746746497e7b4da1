import { workerRoute } from "@/lib/http/worker-route";
import { registerWorker } from "@/lib/workers/worker-api";

/** A worker starting up: its host, GPUs, backend and version. */
export const POST = workerRoute((worker, body) => registerWorker(worker, body));
