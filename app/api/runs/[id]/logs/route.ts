import { ingestRoute, runViewerRoute } from "@/lib/http/ingest-route";
import { intParam, readJson } from "@/lib/http/responses";
import { storeLogs } from "@/lib/ingest/store";
import { readLogs } from "@/lib/runs/logs";

/** Ingest: `{lines: [{seq, stream, text, time?}]}`. */
export const POST = ingestRoute(async (runId, req) => storeLogs(runId, await readJson(req)));

/** Lines after `after` (a seq), at most `limit`, optionally containing `q`. */
export const GET = runViewerRoute(async ({ id }, req) => {
  const url = new URL(req.url);
  return readLogs(id, {
    afterSeq: url.searchParams.has("after") ? intParam(url, "after", -1, -1, 2_147_483_647) : undefined,
    limit: intParam(url, "limit", 1000, 1, 10_000),
    q: url.searchParams.get("q")?.slice(0, 200) || undefined,
  });
});
