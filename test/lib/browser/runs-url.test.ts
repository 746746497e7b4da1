/** The runs page's state in its URL: what a link carries comes back the same. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { readRunsView, runsViewQuery } from "@/lib/browser/runs-list-url";
import { formatDurationCompact, formatMetricValue } from "@/lib/browser/format";

test("a view survives a round trip through its query string", () => {
  const view = readRunsView(new URLSearchParams("project=sd&q=naruto&status=running,failed&tag=sd15&sort=name&order=asc&page=3&pageSize=100&cols=learning_rate,resolution&metric=val_loss"));
  assert.deepEqual(view, {
    project: "sd",
    q: "naruto",
    status: ["running", "failed"],
    tag: "sd15",
    sort: "name",
    order: "asc",
    page: 3,
    pageSize: 100,
    cols: ["learning_rate", "resolution"],
    metric: "val_loss",
  });
  assert.deepEqual(readRunsView(new URLSearchParams(runsViewQuery(view).slice(1))), view);
});

test("defaults stay out of the URL and junk falls back to them", () => {
  assert.equal(runsViewQuery(readRunsView(new URLSearchParams(""))), "");
  const junk = readRunsView(new URLSearchParams("page=-2&pageSize=99999&order=sideways"));
  assert.equal(junk.page, 1);
  assert.equal(junk.pageSize, 50);
  assert.equal(junk.order, undefined);
});

test("durations and values read at a glance", () => {
  assert.equal(formatDurationCompact(3_725_000), "1h 02m");
  assert.equal(formatDurationCompact(65_000), "1m 05s");
  assert.equal(formatDurationCompact(-5), "");
  assert.equal(formatMetricValue(0.123456), "0.1235");
  assert.equal(formatMetricValue(1e-5), "1.000e-5");
  assert.equal(formatMetricValue("NaN"), "NaN");
});
