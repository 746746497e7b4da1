/**
 * Metric points and their rollups are written in one statement, so that the
 * summaries count exactly the points that were stored (resends add nothing).
 */
import type { PoolClient, Pool } from "pg";
import type { MetricPoint } from "@/lib/protocol/schemas";
import { ROLLUP_WIDTHS } from "@/lib/protocol/wire";

/** A validated point: its value decoded, its wall time (a Date or epoch milliseconds) resolved. */
export type PointInput = Pick<MetricPoint, "key" | "step"> & { value: number; time: Date | number };

/**
 * Stores the points not stored yet and adds them to the rollups. Returns the
 * ones that were new, in input order (all of them unless some were resent).
 * Times travel as epoch milliseconds and only counts come back, which keeps
 * the server's share of the work per point small.
 */
export async function insertPointsWithRollups<P extends PointInput>(db: Pool | PoolClient, runId: string, points: P[]): Promise<P[]> {
  const { rows } = await db.query<{ n: number; keys: string[] | null; steps: number[] | null }>(
    `WITH inserted AS (
       INSERT INTO "MetricPoint" ("runId", "key", "step", "value", "time")
       SELECT $1, u.k, u.s, u.v, to_timestamp(u.t / 1000) FROM unnest($2::varchar[], $3::int[], $4::float8[], $5::float8[]) AS u(k, s, v, t)
       ON CONFLICT ("runId", "key", "step") DO NOTHING
       RETURNING "key", "step", "value", extract(epoch FROM "time")::float8 * 1000 AS t
     ),
     -- The narrowest rollup from the points, the wider ones from it (their widths are multiples of it).
     -- The last value is the one at the greatest step: max() of [step, value, time] triples, steps being unique.
     finest AS (
       SELECT i."key", i."step" / $6::int AS bucket, count(*)::int AS n,
              min(i."value") FILTER (WHERE i."value" <> 'NaN') AS lo,
              max(i."value") FILTER (WHERE i."value" <> 'NaN') AS hi,
              max(ARRAY[i."step"::float8, i."value", i.t]) AS last
       FROM inserted i
       GROUP BY 1, 2
     ),
     buckets AS (
       SELECT f."key", $6::int AS width, f.bucket, f.n, f.lo, f.hi, f.last FROM finest f
       UNION ALL
       SELECT f."key", w.width, f.bucket / (w.width / $6::int), sum(f.n)::int, min(f.lo), max(f.hi), max(f.last)
       FROM finest f CROSS JOIN unnest($7::int[]) AS w(width)
       GROUP BY 1, 2, 3
     ),
     rolled AS (
       INSERT INTO "MetricRollup" AS r ("runId", "key", "width", "bucket", "count", "minValue", "maxValue", "lastStep", "lastValue", "lastTime")
       SELECT $1, b."key", b.width, b.bucket, b.n, b.lo, b.hi, b.last[1]::int, b.last[2], to_timestamp(b.last[3] / 1000) FROM buckets b
       ON CONFLICT ("runId", "key", "width", "bucket") DO UPDATE SET
         "count" = r."count" + excluded."count",
         "minValue" = LEAST(r."minValue", excluded."minValue"),
         "maxValue" = GREATEST(r."maxValue", excluded."maxValue"),
         "lastStep" = GREATEST(r."lastStep", excluded."lastStep"),
         "lastValue" = CASE WHEN excluded."lastStep" > r."lastStep" THEN excluded."lastValue" ELSE r."lastValue" END,
         "lastTime" = CASE WHEN excluded."lastStep" > r."lastStep" THEN excluded."lastTime" ELSE r."lastTime" END
     )
     -- Which points were new is only needed when some were not.
     SELECT count(*)::int AS n,
            CASE WHEN count(*) < $8 THEN array_agg("key") END AS keys,
            CASE WHEN count(*) < $8 THEN array_agg("step") END AS steps
     FROM inserted`,
    [
      runId,
      points.map((p) => p.key),
      points.map((p) => p.step),
      points.map((p) => p.value),
      points.map((p) => (typeof p.time === "number" ? p.time : p.time.getTime())),
      ROLLUP_WIDTHS[0],
      ROLLUP_WIDTHS.slice(1),
      points.length,
    ],
  );
  const { n, keys, steps } = rows[0];
  if (n === points.length) return points;
  // array_agg() of no rows is NULL.
  const fresh = new Set((keys ?? []).map((key, i) => `${steps![i]}\u0000${key}`));
  // delete() so that a point given twice in one batch counts once, like in the table.
  return points.filter((p) => fresh.delete(`${p.step}\u0000${p.key}`));
}
