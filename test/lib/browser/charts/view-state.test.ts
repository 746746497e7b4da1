import { test } from "node:test";
import assert from "node:assert/strict";
import { compareViewQuery, DEFAULT_SMOOTHING, parseCompareViewState, parseRunViewState, runViewQuery } from "@/lib/browser/charts/view-state";

test("run view: defaults from an empty query, and an empty query from defaults", () => {
  const s = parseRunViewState(new URLSearchParams(""));
  assert.deepEqual(s, { tab: "overview", metric: "", smoothing: DEFAULT_SMOOTHING, x: "step", log: false, epoch: null, images: "", prompt: "", q: "" });
  assert.equal(runViewQuery(s), "");
});

test("run view: every field round-trips through the URL", () => {
  const s = { tab: "images" as const, metric: "train_loss", smoothing: 0.3, x: "wall" as const, log: true, epoch: 4, images: "samples", prompt: "Bill Gates", q: "error" };
  const query = runViewQuery(s, "tok");
  assert.deepEqual(parseRunViewState(new URLSearchParams(query)), s);
  assert.equal(new URLSearchParams(query).get("share"), "tok");
});

test("run view: bad values fall back to defaults", () => {
  const s = parseRunViewState(new URLSearchParams("tab=nope&smoothing=abc&x=weird&epoch=1.5"));
  assert.equal(s.tab, "overview");
  assert.equal(s.smoothing, DEFAULT_SMOOTHING);
  assert.equal(s.x, "step");
  assert.equal(s.epoch, null);
  assert.equal(parseRunViewState(new URLSearchParams("smoothing=5")).smoothing, 0.99);
  assert.equal(parseRunViewState(new URLSearchParams("smoothing=0")).smoothing, 0);
});

test("compare view: runs deduplicated, order kept, commas readable", () => {
  const s = parseCompareViewState(new URLSearchParams("runs=b,a,b,,c&diff=1&tab=config&epoch=2"));
  assert.deepEqual(s.runs, ["b", "a", "c"]);
  assert.equal(s.diff, true);
  const query = compareViewQuery(s);
  assert.ok(query.startsWith("?runs=b,a,c"), query);
  assert.deepEqual(parseCompareViewState(new URLSearchParams(query)), s);
});
