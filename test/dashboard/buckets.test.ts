import { test } from "node:test";
import assert from "node:assert/strict";
import { chooseBuckets } from "@/lib/charts/buckets";
import { ROLLUP_WIDTHS } from "@/lib/metrics/rollup";

test("short series: one bucket per pixel (the server returns raw points anyway)", () => {
  assert.equal(chooseBuckets(400, 300), 400);
});

test("long series: a rollup-aligned grid when it keeps at least half a bucket per pixel", () => {
  const b = chooseBuckets(400, 15_000);
  assert.equal(b, Math.floor(15_000 / ROLLUP_WIDTHS[0]));
  assert.ok(15_000 / b >= ROLLUP_WIDTHS[0], "each bucket spans at least one rollup");
  assert.ok(b >= 200);
});

test("a wide chart that the rollup grid would leave coarse gets one bucket per pixel", () => {
  assert.equal(chooseBuckets(1200, 15_000), 1200);
});

test("very long series already coarser than the rollup: one bucket per pixel", () => {
  assert.equal(chooseBuckets(400, 1_000_000), 400);
});
