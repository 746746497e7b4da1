import { ingestRoute } from "@/lib/http/ingest-route";
import { readJson } from "@/lib/http/responses";
import { finishRun } from "@/lib/ingest/store";

export const POST = ingestRoute(async (runId, req) => finishRun(runId, await readJson(req)));
