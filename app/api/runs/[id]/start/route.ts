import { ingestRoute } from "@/lib/server/http/ingest-route";
import { readJson } from "@/lib/server/http/responses";
import { startRun } from "@/lib/server/ingest/store";

export const POST = ingestRoute(async (runId, req) => startRun(runId, await readJson(req)));
