/** Read side of runs for the dashboard and the API: list with filters, and detail. */
import { PLACE_SELECT, describePlace, launchOutputDir } from "@/lib/server/launcher/place";
import { Prisma } from "@/generated/prisma/client";
import { prisma, pool } from "@/lib/server/db/prisma";
import { RUN_STATUSES, toWireNumber, type RunStatus, type WireNumber } from "@/lib/protocol/wire";
import { ROLLUP_WIDTHS } from "@/lib/protocol/wire";
import { badRequest, notFound } from "@/lib/server/http/errors";
import { likeLiteral } from "@/lib/server/db/like";

export const RUN_SORTS = ["createdAt", "name", "status", "startedAt"] as const;
export type RunSort = (typeof RUN_SORTS)[number];

export interface RunListQuery {
  project?: string;
  status?: RunStatus[];
  tag?: string;
  q?: string;
  sort?: RunSort;
  order?: "asc" | "desc";
  page?: number;
  pageSize?: number;
  /** Metric whose latest value each row carries (the runs table shows train_loss). */
  metric?: string;
}

export interface RunListItem {
  id: string;
  name: string;
  project: string;
  status: RunStatus;
  tags: string[];
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  /** A summary of the config (configSummary): what the table's columns show, not the whole config. */
  config: Record<string, ConfigScalar>;
  lastMetric: WireNumber | null;
  /** Where it ran when started from the form (describePlace); null for a script's run. */
  ranOn: string | null;
}

/** The deepest page: a million runs at one per page. A page like 1e20 would overflow the query's offset. */
const MAX_PAGE = 1_000_000;

export function parseRunListQuery(params: URLSearchParams): RunListQuery {
  const status = params.getAll("status").flatMap((s) => s.split(",")).filter(Boolean);
  for (const s of status) if (!RUN_STATUSES.includes(s as RunStatus)) throw badRequest(`status: unknown status "${s}"`);
  const sort = params.get("sort") ?? "createdAt";
  if (!RUN_SORTS.includes(sort as RunSort)) throw badRequest(`sort must be one of ${RUN_SORTS.join(", ")}`);
  const order = params.get("order") ?? "desc";
  if (order !== "asc" && order !== "desc") throw badRequest("order must be asc or desc");
  const page = Number(params.get("page") ?? 1);
  const pageSize = Number(params.get("pageSize") ?? 50);
  if (!Number.isInteger(page) || page < 1 || page > MAX_PAGE) throw badRequest(`page must be an integer in [1, ${MAX_PAGE}]`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500) throw badRequest("pageSize must be an integer in [1, 500]");
  return {
    project: params.get("project") || undefined,
    status: status as RunStatus[],
    tag: params.get("tag") || undefined,
    q: params.get("q")?.slice(0, 200) || undefined,
    sort: sort as RunSort,
    order,
    page,
    pageSize,
    metric: params.get("metric") || "train_loss",
  };
}

export async function listRuns(q: RunListQuery): Promise<{ runs: RunListItem[]; total: number; page: number; pageSize: number }> {
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? 50;
  const where: Prisma.RunWhereInput = {
    ...(q.project ? { project: { name: q.project } } : {}),
    ...(q.status?.length ? { status: { in: q.status } } : {}),
    ...(q.tag ? { tags: { has: q.tag } } : {}),
    ...(q.q ? { name: { contains: likeLiteral(q.q), mode: "insensitive" } } : {}),
  };
  const [rows, total] = await Promise.all([
    prisma.run.findMany({
      where,
      orderBy: [{ [q.sort ?? "createdAt"]: q.order ?? "desc" }, { id: "asc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: {
        id: true,
        name: true,
        status: true,
        tags: true,
        createdAt: true,
        startedAt: true,
        endedAt: true,
        config: true,
        project: { select: { name: true } },
        launch: { select: PLACE_SELECT },
      },
    }),
    prisma.run.count({ where }),
  ]);
  const last = await latestValues(
    rows.map((r) => r.id),
    q.metric ?? "train_loss",
  );
  return {
    total,
    page,
    pageSize,
    runs: rows.map((r) => ({
      id: r.id,
      name: r.name,
      project: r.project.name,
      status: r.status,
      tags: r.tags,
      createdAt: r.createdAt.toISOString(),
      startedAt: r.startedAt?.toISOString() ?? null,
      endedAt: r.endedAt?.toISOString() ?? null,
      config: configSummary(r.config),
      lastMetric: last.get(r.id) ?? null,
      ranOn: r.launch ? describePlace(r.launch) : null,
    })),
  };
}

export type ConfigScalar = string | number | boolean | null;
const SUMMARY_KEYS = 32;
const SUMMARY_STRING = 100;

/**
 * What the runs list shows of a config: its first top-level scalar entries,
 * long strings cut. A config can be 256 KB and a page holds up to 500 runs;
 * the run page carries the whole config.
 */
export function configSummary(config: unknown): Record<string, ConfigScalar> {
  const summary: Record<string, ConfigScalar> = {};
  if (config === null || typeof config !== "object" || Array.isArray(config)) return summary;
  let kept = 0;
  for (const [key, value] of Object.entries(config)) {
    if (kept >= SUMMARY_KEYS) break;
    if (value !== null && typeof value === "object") continue;
    if (key.length > SUMMARY_STRING) continue;
    summary[key] = typeof value === "string" && value.length > SUMMARY_STRING ? `${value.slice(0, SUMMARY_STRING - 1)}…` : (value as ConfigScalar);
    kept++;
  }
  return summary;
}

/** The latest value of one metric for each of the given runs, read from the widest rollup. */
export async function latestValues(runIds: string[], key: string): Promise<Map<string, WireNumber>> {
  if (!runIds.length) return new Map();
  const widest = ROLLUP_WIDTHS[ROLLUP_WIDTHS.length - 1];
  const { rows } = await pool().query<{ runId: string; value: number }>(
    `SELECT DISTINCT ON ("runId") "runId", "lastValue" AS value FROM "MetricRollup"
     WHERE "runId" = ANY($1) AND "key" = $2 AND "width" = ${widest}
     ORDER BY "runId", "bucket" DESC`,
    [runIds, key],
  );
  return new Map(rows.map((r) => [r.runId, toWireNumber(r.value)]));
}

export async function getRun(id: string) {
  const run = await prisma.run.findUnique({
    where: { id },
    select: {
      id: true,
      name: true,
      status: true,
      config: true,
      tags: true,
      notes: true,
      commandLine: true,
      error: true,
      createdAt: true,
      startedAt: true,
      endedAt: true,
      lastHeartbeatAt: true,
      project: { select: { id: true, name: true } },
      environment: { select: { data: true } },
      launch: { select: PLACE_SELECT },
    },
  });
  if (!run) throw notFound(`unknown run ${id}`);
  const { launch, ...rest } = run;
  return {
    ...rest,
    environment: (run.environment?.data as Record<string, unknown> | undefined) ?? null,
    ranOn: launch ? describePlace(launch) : null,
    outputDir: launch ? launchOutputDir(launch) : null,
  };
}
export type RunDetail = Awaited<ReturnType<typeof getRun>>;
