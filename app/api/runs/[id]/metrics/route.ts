import { ingestRoute, runViewerRoute } from "@/lib/server/http/ingest-route";
import { intParam, readJson } from "@/lib/server/http/responses";
import { storeMetrics } from "@/lib/server/ingest/store";
import { metricKeys, metricSeries } from "@/lib/server/metrics/series";
import { INT4_MAX, LIMITS } from "@/lib/protocol/wire";
import { badRequest } from "@/lib/server/http/errors";

/** Ingest: `{points: [{key, step, value, time?}]}`, bearer = the run's ingest token. */
export const POST = ingestRoute(async (runId, req) => storeMetrics(runId, await readJson(req)));

/**
 * Without `key`: the run's metric keys with counts and latest values.
 * With `key`: the series, downsampled to at most `buckets` points over [from, to].
 */
export const GET = runViewerRoute(async ({ id }, req) => {
  const url = new URL(req.url);
  const key = url.searchParams.get("key");
  if (key === null) return metricKeys(id);
  if (!key || key.length > LIMITS.keyLength) throw badRequest(`key must be 1 to ${LIMITS.keyLength} characters`);
  const from = url.searchParams.has("from") ? intParam(url, "from", 0, 0, INT4_MAX) : undefined;
  const to = url.searchParams.has("to") ? intParam(url, "to", 0, 0, INT4_MAX) : undefined;
  return metricSeries(id, key, { buckets: intParam(url, "buckets", 2000, 1, 20_000), from, to });
});
