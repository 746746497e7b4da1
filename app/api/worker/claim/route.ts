import { workerRoute } from "@/lib/server/http/worker-route";
import { claimForWorker } from "@/lib/server/workers/worker-api";

/** `{slot}` -> the next launch for this worker, or `{launch: null}`. */
export const POST = workerRoute((worker, body) => claimForWorker(worker, body));
