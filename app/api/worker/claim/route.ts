import { workerRoute } from "@/lib/http/worker-route";
import { claimForWorker } from "@/lib/workers/worker-api";

/** `{slot}` -> the next launch for this worker, or `{launch: null}`. */
export const POST = workerRoute((worker, body) => claimForWorker(worker, body));
