import { ingestRoute, type RouteContext } from "@/lib/server/http/ingest-route";
import { intParam, readJson, respond } from "@/lib/server/http/responses";
import { storeLogs } from "@/lib/server/ingest/store";
import { readLogs } from "@/lib/server/runs/logs";
import { requireRunViewer } from "@/lib/server/auth/access";
import { INT4_MAX } from "@/lib/protocol/wire";

/** Ingest: `{lines: [{seq, stream, text, time?}]}`. */
export const POST = ingestRoute(async (runId, req) => storeLogs(runId, await readJson(req)));

/** Lines after `after` (a seq), at most `limit`, optionally containing `q`. */
export async function GET(req: Request, ctx: RouteContext) {
  return respond(async () => {
    const { id } = await ctx.params;
    await requireRunViewer(req, id);
    const url = new URL(req.url);
    return readLogs(id, {
      afterSeq: url.searchParams.has("after") ? intParam(url, "after", -1, -1, INT4_MAX) : undefined,
      limit: intParam(url, "limit", 1000, 1, 10_000),
      q: url.searchParams.get("q")?.slice(0, 200) || undefined,
    });
  });
}
