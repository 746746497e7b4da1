import { ingestRoute } from "@/lib/server/http/ingest-route";
import { readJson } from "@/lib/server/http/responses";
import { finishRun } from "@/lib/server/ingest/store";

export const POST = ingestRoute(async (runId, req) => finishRun(runId, await readJson(req)));
