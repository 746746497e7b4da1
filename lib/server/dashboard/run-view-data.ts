/**
 * What the run and compare pages read on the server for their first render,
 * as plain serializable objects handed to client components.
 */
import { getRun, type RunDetail } from "@/lib/server/runs/queries";
import { metricKeys, type MetricKeySummary } from "@/lib/server/metrics/series";
import { listImages } from "@/lib/server/runs/images";
import { readLogs } from "@/lib/server/runs/logs";
import { prisma } from "@/lib/server/db/prisma";
import { ClientError } from "@/lib/server/http/errors";
import type { LiveImage, RunStatus } from "@/lib/protocol/wire";
import type { LiveLogLine } from "@/lib/protocol/schemas";

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
  /** Where a run started from the form runs (describePlace), and its output folder there. */
  ranOn: string | null;
  /** Started from the form or a worker (the server's trainer logs for it), not by a script through the SDK or API. */
  launched: boolean;
  outputDir: string | null;
}

export interface RunPageData {
  run: RunView;
  metrics: MetricKeySummary[];
  images: LiveImage[];
  logs: LiveLogLine[];
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
    ranOn: r.ranOn,
    launched: r.ranOn !== null,
    outputDir: r.outputDir,
  };
}

/** The last `limit` log lines of a run, oldest first. */
export async function logTail(runId: string, limit = LOG_TAIL): Promise<LiveLogLine[]> {
  const last = await prisma.logLine.aggregate({ where: { runId }, _max: { seq: true } });
  const maxSeq = last._max.seq;
  if (maxSeq === null) return [];
  const { lines } = await readLogs(runId, { afterSeq: Math.max(-1, maxSeq - limit), limit });
  return lines;
}

export async function loadRunPage(runId: string): Promise<RunPageData> {
  const run = await getRun(runId);
  const [metrics, images, logs] = await Promise.all([metricKeys(runId), listImages(runId), logTail(runId)]);
  return {
    run: toRunView(run),
    metrics,
    images,
    logs,
  };
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
