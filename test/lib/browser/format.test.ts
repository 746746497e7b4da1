/** lib/browser/format.ts: each name gives the form its page needs. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatConfigCell, formatConfigExact, formatDurationCompact, formatDurationFull, formatMetricValue } from "@/lib/browser/format";

test("durations: compact in tables, to the second on a run's page", () => {
  assert.equal(formatDurationCompact(3_725_000), "1h 02m");
  assert.equal(formatDurationFull(3_725_000), "1h 2m 5s");
  assert.equal(formatDurationCompact(90_061_000), "1d 1h");
  assert.equal(formatDurationCompact(null), "");
  assert.equal(formatDurationFull(-1), "—");
});

test("config values: rounded in a table cell, exact on a run's page", () => {
  assert.equal(formatConfigCell(0.000123456), "1.235e-4");
  assert.equal(formatConfigExact(0.000123456), "0.000123456");
  assert.equal(formatConfigCell(null), "");
  assert.equal(formatConfigExact(null), "—");
  assert.equal(formatConfigExact(true), "true");
  assert.equal(formatConfigCell({ a: 1 }), '{"a":1}');
  assert.equal(formatMetricValue(1234567), "1.235e+6");
});
