import { ingestRoute } from "@/lib/http/ingest-route";
import { readJson } from "@/lib/http/responses";
import { startRun } from "@/lib/ingest/store";

export const POST = ingestRoute(async (runId, req) => startRun(runId, await readJson(req)));
