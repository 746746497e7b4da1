/** Read side of runs for the dashboard and the API: list with filters, and detail. */
import { PLACE_SELECT, describePlace, launchOutputDir } from "@/lib/server/launcher/place";
import { Prisma } from "@/generated/prisma/client";
import { prisma, pool } from "@/lib/server/db/prisma";
import { ROLLUP_WIDTHS, RUN_STATUSES, toWireNumber, type RunStatus, type WireNumber } from "@/lib/protocol/wire";
import { badRequest, notFound } from "@/lib/server/http/errors";
import { likeLiteral } from "@/lib/server/db/like";

/** Columns, plus a run's duration and the last or lowest value of the list's metric (train_loss unless `metric` says otherwise). */
export const RUN_SORTS = ["createdAt", "name", "status", "startedAt", "duration", "lastMetric", "minMetric"] as const;
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
  /** Metric whose last and lowest values each row carries (the runs table shows train_loss). */
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
  /** The lowest value of that metric, NaN left out. */
  minMetric: WireNumber | null;
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

/** The widest rollup: one row per run and key for any run under 262,144 steps, which sorts and summaries read. */
const WIDEST = ROLLUP_WIDTHS[ROLLUP_WIDTHS.length - 1];

/**
 * What each sort orders by, in SQL over "Run" r; `metric` binds the list's
 * metric key. By duration or a metric, runs without a value (never started,
 * metric not logged or only NaN) come last in either direction.
 */
const SORT_SQL: Record<RunSort, { expr: (metric: () => string) => string; nullsLast: boolean }> = {
  createdAt: { expr: () => `r."createdAt"`, nullsLast: false },
  name: { expr: () => `r."name"`, nullsLast: false },
  status: { expr: () => `r."status"`, nullsLast: false },
  startedAt: { expr: () => `r."startedAt"`, nullsLast: false },
  duration: { expr: () => `COALESCE(r."endedAt", now()) - r."startedAt"`, nullsLast: true },
  lastMetric: {
    expr: (metric) =>
      `(SELECT NULLIF(m."lastValue", 'NaN') FROM "MetricRollup" m WHERE m."runId" = r."id" AND m."key" = ${metric()} AND m."width" = ${WIDEST} ORDER BY m."bucket" DESC LIMIT 1)`,
    nullsLast: true,
  },
  minMetric: { expr: (metric) => `(SELECT min(m."minValue") FROM "MetricRollup" m WHERE m."runId" = r."id" AND m."key" = ${metric()} AND m."width" = ${WIDEST})`, nullsLast: true },
};

/** Binds values as $1, $2, … of one statement. */
function parameters() {
  const values: unknown[] = [];
  return { values, bind: (v: unknown) => `$${values.push(v)}` };
}

/** The list's filters as SQL over "Run" r joined to "Project" p. */
function fromFiltered(q: RunListQuery, bind: (v: unknown) => string): string {
  const conditions: string[] = [];
  if (q.project) conditions.push(`p."name" = ${bind(q.project)}`);
  if (q.status?.length) conditions.push(`r."status"::text = ANY(${bind(q.status)}::text[])`);
  if (q.tag) conditions.push(`${bind(q.tag)} = ANY(r."tags")`);
  if (q.q) conditions.push(`r."name" ILIKE '%' || ${bind(likeLiteral(q.q))} || '%'`);
  return `FROM "Run" r JOIN "Project" p ON p."id" = r."projectId"${conditions.length ? ` WHERE ${conditions.join(" AND ")}` : ""}`;
}

export async function listRuns(q: RunListQuery): Promise<{ runs: RunListItem[]; total: number; page: number; pageSize: number }> {
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? 50;
  const metric = q.metric ?? "train_loss";
  const sort = SORT_SQL[q.sort ?? "createdAt"];
  const order = (q.order ?? "desc") === "asc" ? "ASC" : "DESC";
  // The page's ids in order (sorted and paged in SQL, as the metric sorts need), then their rows.
  const list = parameters();
  const from = fromFiltered(q, list.bind);
  const by = sort.expr(() => list.bind(metric));
  const count = parameters();
  const [ordered, counted] = await Promise.all([
    pool().query<{ id: string }>(
      `SELECT r."id" ${from} ORDER BY ${by} ${order}${sort.nullsLast ? " NULLS LAST" : ""}, r."id" ASC LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
      list.values,
    ),
    pool().query<{ total: number }>(`SELECT count(*)::int AS total ${fromFiltered(q, count.bind)}`, count.values),
  ]);
  const ids = ordered.rows.map((r) => r.id);
  const [rows, summaries] = await Promise.all([
    prisma.run.findMany({
      where: { id: { in: ids } },
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
    metricSummaries(ids, metric),
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return {
    total: counted.rows[0].total,
    page,
    pageSize,
    runs: ids.flatMap((id) => {
      const r = byId.get(id);
      // Deleted between the two reads.
      if (!r) return [];
      return [
        {
          id: r.id,
          name: r.name,
          project: r.project.name,
          status: r.status,
          tags: r.tags,
          createdAt: r.createdAt.toISOString(),
          startedAt: r.startedAt?.toISOString() ?? null,
          endedAt: r.endedAt?.toISOString() ?? null,
          config: configSummary(r.config),
          lastMetric: summaries.get(id)?.last ?? null,
          minMetric: summaries.get(id)?.min ?? null,
          ranOn: r.launch ? describePlace(r.launch) : null,
        },
      ];
    }),
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

/** The last and the lowest value of one metric for each of the given runs, read from the widest rollup. */
async function metricSummaries(runIds: string[], key: string): Promise<Map<string, { last: WireNumber; min: WireNumber | null }>> {
  if (!runIds.length) return new Map();
  const { rows } = await pool().query<{ runId: string; last: number; min: number | null }>(
    `SELECT "runId", (array_agg("lastValue" ORDER BY "bucket" DESC))[1] AS last, min("minValue") AS min FROM "MetricRollup"
     WHERE "runId" = ANY($1) AND "key" = $2 AND "width" = ${WIDEST}
     GROUP BY "runId"`,
    [runIds, key],
  );
  return new Map(rows.map((r) => [r.runId, { last: toWireNumber(r.last), min: r.min === null ? null : toWireNumber(r.min) }]));
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
