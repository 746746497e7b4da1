-- Rollups gained a finest width of 16 steps (lib/metrics/rollup.ts). This builds it
-- for the points stored before, as ingestion would have.
INSERT INTO "MetricRollup" ("runId", "key", "width", "bucket", "count", "minValue", "maxValue", "lastStep", "lastValue", "lastTime")
SELECT "runId", "key", 16, "step" / 16, count(*)::int,
       min("value") FILTER (WHERE "value" <> 'NaN'),
       max("value") FILTER (WHERE "value" <> 'NaN'),
       max("step"),
       (array_agg("value" ORDER BY "step" DESC))[1],
       (array_agg("time" ORDER BY "step" DESC))[1]
FROM "MetricPoint"
GROUP BY "runId", "key", "step" / 16
ON CONFLICT ("runId", "key", "width", "bucket") DO NOTHING;
