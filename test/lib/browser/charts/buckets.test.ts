import { test } from "node:test";
import assert from "node:assert/strict";
import { chooseBuckets } from "@/lib/browser/charts/buckets";
import { ROLLUP_WIDTHS } from "@/lib/protocol/wire";

test("short series: one bucket per pixel (the server returns raw points anyway)", () => {
  assert.equal(chooseBuckets(400, 300), 400);
});

test("long series: the finest rollup-aligned grid that keeps at least half a bucket per pixel", () => {
  // 15,000 steps: 937 buckets of 16 steps would exceed 400 px; 234 of 64 steps fit.
  assert.equal(chooseBuckets(400, 15_000), 234);
  assert.equal(chooseBuckets(1200, 15_000), 937);
  // 1M steps on 400 px: 244 buckets of 4,096 steps.
  assert.equal(chooseBuckets(400, 1_000_000), 244);
  for (const [px, span] of [[400, 15_000], [1200, 15_000], [400, 1_000_000], [777, 123_456]] as const) {
    const b = chooseBuckets(px, span);
    assert.ok(b <= px && b >= px / 2, `${b} buckets for ${px} px`);
    assert.ok(ROLLUP_WIDTHS.some((w) => b === Math.floor(span / w)), `${b} is aligned with a rollup width`);
  }
});

test("when no aligned grid lands between half a bucket and one bucket per pixel: one bucket per pixel", () => {
  // 15,000 steps on 650 px: 937 (16-wide) is too fine, 234 (64-wide) too coarse.
  assert.equal(chooseBuckets(650, 15_000), 650);
});
