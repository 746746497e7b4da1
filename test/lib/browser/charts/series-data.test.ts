import { test } from "node:test";
import assert from "node:assert/strict";
import { appendLive, fromWire, plotLines, stepRange, xOf } from "@/lib/browser/charts/series-data";

const wire = {
  key: "train_loss",
  downsampled: true,
  from: 0,
  to: 299,
  points: [
    { step: 99, value: 0.5, min: 0.4, max: 0.9, count: 100 },
    { step: 199, value: "NaN" as const, min: null, max: null, count: 100 },
    { step: 299, value: 0.3, min: 0.2, max: "Infinity" as const, count: 100 },
  ],
};

test("wire series decode NaN/Infinity strings and drop null extremes", () => {
  const s = fromWire(wire);
  assert.ok(Number.isNaN(s.points[1].value));
  assert.equal(s.points[1].min, undefined);
  assert.equal(s.points[2].max, Infinity);
});

test("live points append after the last stored step only", () => {
  const s = fromWire({ ...wire, downsampled: false });
  const next = appendLive(s, [
    { step: 299, value: 9, time: 1 },
    { step: 300, value: 0.25, time: 2 },
  ]);
  assert.deepEqual(
    next.points.slice(3).map((p) => [p.step, p.value, p.time]),
    [[300, 0.25, 2]],
  );
  assert.equal(appendLive(next, [{ step: 10, value: 1, time: 3 }]), next);
});

test("x axes: step, seconds since the origin, wall time; points without time leave time axes", () => {
  const p = { step: 5, value: 1, time: 10_000 };
  assert.equal(xOf(p, "step", 0), 5);
  assert.equal(xOf(p, "relative", 4_000), 6);
  assert.equal(xOf(p, "wall", 0), 10_000);
  assert.equal(xOf({ step: 5, value: 1 }, "wall", 0), null);
});

test("downsampled series get a min/max band; smoothing adds a second line", () => {
  const lines = plotLines(fromWire(wire), "step", 0, 0.5);
  assert.equal(lines.raw.length, 3);
  assert.equal(lines.smooth!.length, 3);
  assert.deepEqual(
    lines.band!.lo.map((p) => p.y),
    [0.4, 0.2],
  );
  assert.equal(plotLines(fromWire({ ...wire, downsampled: false }), "step", 0, 0).band, null);
  assert.equal(plotLines(fromWire(wire), "step", 0, 0).smooth, null);
});

test("a zoom window maps back to the steps to refetch", () => {
  const s = fromWire({ ...wire, points: wire.points.map((p, i) => ({ ...p, time: new Date(1000 * (i + 1)).toISOString() })) });
  assert.deepEqual(stepRange([s], "step", 0, 10.4, 150.2), { from: 10, to: 151 });
  // On a time axis the window covers the buckets around the points inside it.
  assert.deepEqual(stepRange([s], "relative", 0, 1.5, 2.5), { from: 99, to: 299 });
  assert.equal(stepRange([s], "relative", 0, 50, 60), null);
});
