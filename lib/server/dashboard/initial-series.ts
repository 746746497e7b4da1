/**
 * The first charts' series of a run or compare page, in one GET that the page
 * asks the browser to preload: it is read while the page's scripts load and
 * hydrate, instead of after, and the charts draw from it when it fits them.
 */
import { z } from "zod";
import { nameText } from "@/lib/protocol/schemas";
import { chooseBuckets } from "@/lib/browser/charts/buckets";
import { groupMetricKeys } from "@/lib/browser/charts/metric-keys";
import { MAX_COMPARE_RUNS } from "@/lib/browser/charts/view-state";
import type { InitialSeriesByKey } from "@/lib/browser/charts/series-data";
import { withShare } from "@/lib/protocol/with-share";
import { metricKeys, metricSeries, type MetricKeySummary } from "@/lib/server/metrics/series";
import { parseInput } from "@/lib/server/http/validate";

/**
 * Width in pixels assumed for these reads: about a chart in the three-column
 * grid at 1280-1440 px. Charts of another width read their own.
 */
export const INITIAL_PIXELS = 400;
/** Charts read at once, about the first screens of them. */
const INITIAL_CHARTS = 12;
/** Series (charts x runs) read at once at most, to keep the reply small. */
const INITIAL_SERIES = 120;

/** The URL a page preloads and its charts then fetch (the same URL, so the browser serves the preloaded reply). */
export function initialSeriesUrl(runIds: string[], share: string | null): string {
  return withShare(`/api/series/first?runs=${runIds.map(encodeURIComponent).join(",")}`, share);
}

const runsParam = z
  .string({ error: "runs is required: a comma-separated list of run ids" })
  .transform((s) => s.split(",").filter(Boolean))
  .pipe(
    z
      .array(nameText(64, "a run id"))
      .min(1, "runs must name at least one run")
      .max(MAX_COMPARE_RUNS, `runs may name at most ${MAX_COMPARE_RUNS} runs`),
  );

/** GET /api/series/first?runs=a,b: checks each run with `authorize`, then reads its first charts' series. */
export async function readInitialSeriesFor(runs: string | null, authorize: (runId: string) => Promise<void>): Promise<InitialSeriesByKey> {
  const ids = parseInput(runsParam, runs ?? undefined);
  for (const id of new Set(ids)) await authorize(id);
  return readInitialSeries(await Promise.all(ids.map(async (runId) => ({ runId, metrics: await metricKeys(runId) }))));
}

/** The first charts' keys in the charts panel's order, each read for every run at the bucket count a chart of INITIAL_PIXELS asks for. */
export async function readInitialSeries(runs: Array<{ runId: string; metrics: MetricKeySummary[] }>): Promise<InitialSeriesByKey> {
  const { training, system } = groupMetricKeys(runs.flatMap((r) => r.metrics.map((m) => m.key)));
  const charts = Math.min(INITIAL_CHARTS, Math.floor(INITIAL_SERIES / Math.max(1, runs.length)));
  const keys = [...training, ...system].slice(0, charts);
  const span = (run: (typeof runs)[number], key: string) => (run.metrics.find((m) => m.key === key)?.lastStep ?? -1) + 1;
  const byKey = await Promise.all(
    keys.map(async (key) => {
      const reads = await Promise.all(
        runs.map(async (run) => {
          const buckets = chooseBuckets(INITIAL_PIXELS, span(run, key));
          return { runId: run.runId, buckets, series: await metricSeries(run.runId, key, { buckets }) };
        }),
      );
      const chart = {
        buckets: Object.fromEntries(reads.map((r) => [r.runId, r.buckets])),
        series: Object.fromEntries(reads.map((r) => [r.runId, r.series])),
      };
      return [key, chart] as const;
    }),
  );
  return Object.fromEntries(byKey);
}
