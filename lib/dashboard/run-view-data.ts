/**
 * What the run and compare pages read on the server for their first render,
 * as plain serializable objects handed to client components.
 */
import { getRun, type RunDetail } from "@/lib/runs/queries";
import { metricKeys, metricSeries, type MetricKeySummary, type Series } from "@/lib/metrics/series";
import { listImages } from "@/lib/runs/images";
import { readLogs } from "@/lib/runs/logs";
import { prisma } from "@/lib/prisma";
import { ClientError } from "@/lib/errors";
import { chooseBuckets } from "@/lib/charts/buckets";
import type { LiveImage, RunStatus } from "@/lib/protocol";

export interface RunView {
  id: string;
  name: string;
  project: string;
  status: RunStatus;
  config: Record<string, unknown>;
  tags: string[];
  notes: string;
  commandLine: string | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  lastHeartbeatAt: string | null;
  environment: Record<string, unknown> | null;
}

export interface LogLineView {
  seq: number;
  stream: string;
  text: string;
  time: string;
}

export interface RunPageData {
  run: RunView;
  metrics: MetricKeySummary[];
  /** The first charts' series, read with the page so they draw without another round trip. */
  initialSeries: { buckets: Record<string, number>; byKey: Record<string, Series> };
  images: LiveImage[];
  logs: LogLineView[];
}

/** Lines shown when the logs tab opens; earlier ones load on demand. */
export const LOG_TAIL = 500;

export function toRunView(r: RunDetail): RunView {
  return {
    id: r.id,
    name: r.name,
    project: r.project.name,
    status: r.status,
    config: (r.config ?? {}) as Record<string, unknown>,
    tags: r.tags,
    notes: r.notes,
    commandLine: r.commandLine,
    error: r.error,
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    endedAt: r.endedAt?.toISOString() ?? null,
    lastHeartbeatAt: r.lastHeartbeatAt?.toISOString() ?? null,
    environment: r.environment,
  };
}

/** The last `limit` log lines of a run, oldest first. */
export async function logTail(runId: string, limit = LOG_TAIL): Promise<LogLineView[]> {
  const last = await prisma.logLine.aggregate({ where: { runId }, _max: { seq: true } });
  const maxSeq = last._max.seq;
  if (maxSeq === null) return [];
  const { lines } = await readLogs(runId, { afterSeq: Math.max(-1, maxSeq - limit), limit });
  return lines;
}

/**
 * Width in pixels assumed for the series read with the page: about a chart in
 * the three-column grid at 1280-1440 px. Charts of another width refetch.
 */
export const INITIAL_PIXELS = 400;
/** Charts whose series come with the page; the rest load their own. */
const INITIAL_CHARTS = 24;

export async function loadRunPage(runId: string, opts: { withSeries: boolean }): Promise<RunPageData> {
  const run = await getRun(runId);
  const [metrics, images, logs] = await Promise.all([metricKeys(runId), listImages(runId), logTail(runId)]);
  const keys = opts.withSeries ? firstChartKeys(metrics.map((m) => m.key)) : [];
  const span = new Map(metrics.map((m) => [m.key, m.lastStep + 1]));
  const buckets = Object.fromEntries(keys.map((key) => [key, chooseBuckets(INITIAL_PIXELS, span.get(key) ?? 0)]));
  const series = await Promise.all(keys.map((key) => metricSeries(runId, key, { buckets: buckets[key] })));
  return {
    run: toRunView(run),
    metrics,
    images,
    logs,
    initialSeries: { buckets, byKey: Object.fromEntries(series.map((s) => [s.key, s])) },
  };
}

/** Training metrics before system ones, as the charts tab lays them out. */
function firstChartKeys(keys: string[]): string[] {
  const training = keys.filter((k) => !k.startsWith("system/"));
  return [...training, ...keys.filter((k) => k.startsWith("system/"))].slice(0, INITIAL_CHARTS);
}

export interface CompareRun {
  run: RunView;
  metrics: MetricKeySummary[];
  images: LiveImage[];
}

/** Compare reads each run; ids that do not exist are reported rather than failing the page. */
export async function loadComparePage(runIds: string[]): Promise<{ runs: CompareRun[]; missing: string[] }> {
  const loaded = await Promise.all(
    runIds.map(async (id) => {
      const run = await getRun(id).catch((err: unknown) => {
        if (err instanceof ClientError && err.status === 404) return null;
        throw err;
      });
      if (!run) return { id, found: null };
      const [metrics, images] = await Promise.all([metricKeys(id), listImages(id)]);
      return { id, found: { run: toRunView(run), metrics, images } };
    }),
  );
  return {
    runs: loaded.flatMap((l) => (l.found ? [l.found] : [])),
    missing: loaded.filter((l) => !l.found).map((l) => l.id),
  };
}
