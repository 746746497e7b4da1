import { test } from "node:test";
import assert from "node:assert/strict";
import { timeWeightedEma, VIEWPORT_POINTS } from "@/lib/browser/charts/smoothing";
import { DEFAULT_SMOOTHING } from "@/lib/browser/charts/view-state";

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test("zero smoothing returns the values", () => {
  assert.deepEqual([...timeWeightedEma([0, 1, 2], [3, 1, 2], 0)], [3, 1, 2]);
});

test("the first value is kept and a constant stays constant (debiased)", () => {
  const xs = Array.from({ length: 50 }, (_, i) => i);
  const out = timeWeightedEma(xs, xs.map(() => 7), 0.9);
  for (const v of out) close(v, 7);
});

test("evenly spaced points over the viewport behave like a debiased EMA with weight sqrt(amount)", () => {
  const n = VIEWPORT_POINTS + 1;
  const xs = Array.from({ length: n }, (_, i) => i);
  const ys = xs.map((i) => Math.sin(i) + (i % 7));
  const w = Math.sqrt(0.6);
  let acc = 0;
  let norm = 0;
  const out = timeWeightedEma(xs, ys, 0.6);
  ys.forEach((y, i) => {
    acc = acc * (i ? w : 1) + y;
    norm = norm * (i ? w : 1) + 1;
    close(out[i], acc / norm, 1e-9);
  });
});

test("the decay depends on x gaps, not on point count: a denser copy smooths alike", () => {
  const sparseX = Array.from({ length: 101 }, (_, i) => i * 10);
  const denseX = Array.from({ length: 1001 }, (_, i) => i);
  const f = (x: number) => (x < 500 ? 1 : 0);
  const sparse = timeWeightedEma(sparseX, sparseX.map(f), 0.8);
  const dense = timeWeightedEma(denseX, denseX.map(f), 0.8);
  // At x = 600 both have seen the same step change; the values agree to a few percent.
  assert.ok(Math.abs(sparse[60] - dense[600]) < 0.05, `${sparse[60]} vs ${dense[600]}`);
  // A plain per-point EMA would not: the sparse series would decay 10x less per unit x.
  assert.ok(sparse[60] < 0.5);
});

test("a large gap forgets the past", () => {
  const out = timeWeightedEma([0, 1, 2, 1000], [10, 10, 10, 0], 0.9);
  assert.ok(out[3] < 0.01, String(out[3]));
});

test("non-finite values come out as NaN and do not poison later values", () => {
  const out = timeWeightedEma([0, 1, 2, 3], [1, NaN, Infinity, 1], 0.5);
  assert.ok(Number.isNaN(out[1]) && Number.isNaN(out[2]));
  close(out[3], 1);
});

test("the weight is capped below one so the line still moves", () => {
  const out = timeWeightedEma([0, 1, 2], [0, 0, 100], 1);
  assert.ok(out[2] > 0);
});

/**
 * How jagged the smoothed line of a noisy, slowly falling series still is: its
 * total variation (the summed ups and downs) over the raw line's.
 */
function jaggedness(n: number, amount: number): number {
  let seed = 7;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
  const xs = Array.from({ length: n }, (_, i) => i);
  const ys = xs.map((i) => 1 - (0.3 * i) / n + noise());
  const variation = (v: ArrayLike<number>) => xs.slice(1).reduce((sum, i) => sum + Math.abs(v[i] - v[i - 1]), 0);
  return variation(timeWeightedEma(xs, ys, amount)) / variation(ys);
}

test("the default visibly smooths a short run (20 points) and a long one (10,000 points)", () => {
  const short = jaggedness(20, DEFAULT_SMOOTHING);
  const long = jaggedness(10_000, DEFAULT_SMOOTHING);
  assert.ok(short < 0.6, `a 20-point run keeps ${short.toFixed(2)} of its ups and downs`);
  assert.ok(long < 0.1, `a 10,000-point run keeps ${long.toFixed(2)} of its ups and downs`);
  // The old default of 0.6 left a short run as it was: the reason for the change.
  assert.ok(jaggedness(20, 0.6) > 0.95);
});

test("the default still follows a long run's trend: it lags a step change by under a fifth of the range", () => {
  const n = 10_000;
  const xs = Array.from({ length: n }, (_, i) => i);
  const out = timeWeightedEma(xs, xs.map((i) => (i < n / 2 ? 1 : 0)), DEFAULT_SMOOTHING);
  const settled = out.findIndex((v, i) => i >= n / 2 && v < 0.1);
  assert.ok(settled > n / 2 && settled - n / 2 < n / 5, `settled ${settled - n / 2} steps after the change`);
});
