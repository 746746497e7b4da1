import { ingestRoute, runViewerRoute } from "@/lib/server/http/ingest-route";
import { intParam, readJson } from "@/lib/server/http/responses";
import { storeLogs } from "@/lib/server/ingest/store";
import { readLogs } from "@/lib/server/runs/logs";
import { INT4_MAX } from "@/lib/protocol/wire";

/** Ingest: `{lines: [{seq, stream, text, time?}]}`. */
export const POST = ingestRoute(async (runId, req) => storeLogs(runId, await readJson(req)));

/** Lines after `after` (a seq), at most `limit`, optionally containing `q`. */
export const GET = runViewerRoute(async ({ id }, req) => {
  const url = new URL(req.url);
  return readLogs(id, {
    afterSeq: url.searchParams.has("after") ? intParam(url, "after", -1, -1, INT4_MAX) : undefined,
    limit: intParam(url, "limit", 1000, 1, 10_000),
    q: url.searchParams.get("q")?.slice(0, 200) || undefined,
  });
});
