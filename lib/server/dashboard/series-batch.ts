/**
 * Reads many metric series at once. A page with 10 runs x 10 metrics would
 * otherwise make 100 requests, each paying the HTTP and access-check overhead;
 * batched, the reads share one request and run concurrently on the pool.
 */
import { z } from "zod";
import { seriesRequestSchema, type Series } from "@/lib/protocol/schemas";
import { LIMITS } from "@/lib/protocol/wire";
import { parseInput } from "@/lib/server/http/validate";
import { metricSeries } from "@/lib/server/metrics/series";

export const MAX_BATCH = 200;

export const seriesBatchSchema = z.object({
  requests: z
    .array(seriesRequestSchema)
    .min(1, "requests must not be empty")
    .max(MAX_BATCH, `at most ${MAX_BATCH} series per request`)
    .refine(
      (rs) => rs.reduce((n, r) => n + r.buckets, 0) <= LIMITS.seriesPointsPerRequest,
      `requests: at most ${LIMITS.seriesPointsPerRequest} buckets in all (the sum of every series' buckets)`,
    ),
});
export type SeriesRequest = z.infer<typeof seriesBatchSchema>["requests"][number];

export async function readSeriesBatch(payload: unknown, authorize: (runId: string) => Promise<void>): Promise<Series[]> {
  const { requests } = parseInput(seriesBatchSchema, payload);
  for (const runId of new Set(requests.map((r) => r.runId))) await authorize(runId);
  return Promise.all(requests.map((r) => metricSeries(r.runId, r.key, { buckets: r.buckets, from: r.from, to: r.to })));
}
