/**
 * Reading metric series for charts. A range with more steps than buckets is
 * downsampled on the server to at most `buckets` points, each keeping the
 * bucket's min, max and last value, so spikes stay visible while the reply
 * stays small. Long ranges read the rollups instead of the raw points.
 */
import { pool } from "@/lib/server/db/prisma";
import type { Series, SeriesPoint } from "@/lib/protocol/schemas";
import { INT4_MAX, ROLLUP_WIDTHS, toWireNumber, type WireNumber } from "@/lib/protocol/wire";

export interface SeriesQuery {
  buckets: number;
  from?: number;
  to?: number;
}

export async function metricSeries(runId: string, key: string, q: SeriesQuery): Promise<Series> {
  const db = pool();
  const range = await db.query<{ lo: number | null; hi: number | null }>(
    `SELECT (SELECT "step" FROM "MetricPoint" WHERE "runId" = $1 AND "key" = $2 AND "step" >= $3 ORDER BY "step" ASC LIMIT 1) AS lo,
            (SELECT "step" FROM "MetricPoint" WHERE "runId" = $1 AND "key" = $2 AND "step" <= $4 ORDER BY "step" DESC LIMIT 1) AS hi`,
    [runId, key, q.from ?? 0, q.to ?? INT4_MAX],
  );
  const { lo, hi } = range.rows[0];
  if (lo === null || hi === null || hi < lo) return { key, downsampled: false, from: null, to: null, points: [] };

  const span = hi - lo + 1;
  if (span <= q.buckets) {
    const { rows } = await db.query<{ points: SeriesPoint[] }>(
      `SELECT ${jsonPoints(`json_build_object('step', "step", 'value', "value", 'time', ${isoTime('"time"')})`, '"step"')}
       FROM "MetricPoint" WHERE "runId" = $1 AND "key" = $2 AND "step" BETWEEN $3 AND $4`,
      [runId, key, lo, hi],
    );
    return { key, downsampled: false, from: lo, to: hi, points: rows[0].points };
  }

  const bucketSteps = span / q.buckets;
  const width = [...ROLLUP_WIDTHS].reverse().find((w) => w <= bucketSteps);
  // Either the raw points or the widest rollup, regrouped into the requested buckets.
  const source = width
    ? `SELECT "lastStep" AS step, "lastValue" AS value, extract(epoch FROM "lastTime")::float8 * 1000 AS t, "minValue" AS lo, "maxValue" AS hi, "count" AS n
       FROM "MetricRollup" WHERE "runId" = $1 AND "key" = $2 AND "width" = ${width}
         AND "bucket" BETWEEN $3::int / ${width} AND $4::int / ${width}`
    : `SELECT "step", "value", extract(epoch FROM "time")::float8 * 1000 AS t, CASE WHEN "value" <> 'NaN' THEN "value" END AS lo, CASE WHEN "value" <> 'NaN' THEN "value" END AS hi, 1 AS n
       FROM "MetricPoint" WHERE "runId" = $1 AND "key" = $2 AND "step" BETWEEN $3 AND $4`;
  const { rows } = await db.query<{ points: SeriesPoint[] }>(
    // A bucket's value is the one at its greatest step: max() of [step, value, epoch ms] triples (steps are unique).
    `SELECT ${jsonPoints(
      `json_build_object('step', g.last[1]::int, 'value', g.last[2],
         'time', ${isoTime("timestamp 'epoch' + round(g.last[3])::bigint * interval '1 millisecond'")}, 'min', g.lo, 'max', g.hi, 'count', g.n)`,
      "g.last[1]",
    )}
     FROM (SELECT max(ARRAY[s.step::float8, s.value, s.t]) AS last, min(s.lo) AS lo, max(s.hi) AS hi, sum(s.n)::int AS n
           FROM (${source}) s
           GROUP BY floor((s.step - $3::int)::float8 / $5)) g`,
    [runId, key, lo, hi, bucketSteps],
  );
  return { key, downsampled: true, from: lo, to: hi, points: rows[0].points };
}

/**
 * The reply's points built by PostgreSQL as one JSON array, in step order: parsing
 * thousands of rows and field values in Node cost several times the query itself.
 * PostgreSQL writes NaN and ±Infinity as the strings the wire uses (see toWireNumber).
 */
function jsonPoints(point: string, orderBy: string): string {
  return `coalesce(json_agg(${point} ORDER BY ${orderBy}), '[]') AS points`;
}

/** A timestamp(3) holding UTC, as toISOString() writes it. */
function isoTime(timestamp: string): string {
  return `to_char(${timestamp}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

export interface MetricKeySummary {
  key: string;
  count: number;
  lastStep: number;
  lastValue: WireNumber;
}

/** Every key a run has logged, with its point count and latest value, from the widest rollup. */
export async function metricKeys(runId: string): Promise<MetricKeySummary[]> {
  const widest = ROLLUP_WIDTHS[ROLLUP_WIDTHS.length - 1];
  const { rows } = await pool().query<{ key: string; count: number; lastStep: number; lastValue: number }>(
    `SELECT "key", sum("count")::int AS count, max("lastStep") AS "lastStep",
            (array_agg("lastValue" ORDER BY "lastStep" DESC))[1] AS "lastValue"
     FROM "MetricRollup" WHERE "runId" = $1 AND "width" = ${widest}
     GROUP BY "key" ORDER BY "key"`,
    [runId],
  );
  return rows.map((r) => ({ ...r, lastValue: toWireNumber(r.lastValue) }));
}
