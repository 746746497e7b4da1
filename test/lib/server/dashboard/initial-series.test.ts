/** GET /api/series/first: the series the run and compare pages preload for their first charts. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createRunViaApi, startTestServer, type TestServer } from "../../../helpers/server";
import { chooseBuckets } from "@/lib/browser/charts/buckets";
import type { InitialSeriesByKey } from "@/lib/browser/charts/series-data";
import { INITIAL_PIXELS, initialSeriesUrl } from "@/lib/server/dashboard/initial-series";
import { insertPointsWithRollups } from "@/lib/server/metrics/rollup";
import { metricSeries } from "@/lib/server/metrics/series";
import { pool } from "@/lib/server/db/prisma";

let server: TestServer;
const runs: string[] = [];
/** Keys as the charts panel orders them: train_loss, lr, epoch, then by name, system metrics last. */
const ORDERED = ["train_loss", "lr", "epoch", "a_metric", "z_metric", "system/cpu"];

before(async () => {
  server = await startTestServer();
  for (let r = 0; r < 2; r++) {
    const { id } = await createRunViaApi(server.url, { name: `run-${r}` });
    const points = [...ORDERED].reverse().flatMap((key, k) =>
      Array.from({ length: r === 0 ? 15_000 : 300 }, (_, step) => ({ key, step, value: Math.sin(step / 50 + k + r), time: step * 1000 })),
    );
    await insertPointsWithRollups(pool(), id, points);
    runs.push(id);
  }
});
after(async () => {
  await server?.close();
});

async function get(path: string): Promise<{ status: number; body: { data?: InitialSeriesByKey; error?: string } }> {
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, body: await res.json() };
}

test("every key of every run, in chart order, read at a chart's bucket count", async () => {
  const { status, body } = await get(initialSeriesUrl(runs, null));
  assert.equal(status, 200);
  const byKey = body.data!;
  assert.deepEqual(Object.keys(byKey), ORDERED);
  for (const key of ORDERED) {
    for (const [runId, steps] of [[runs[0], 15_000], [runs[1], 300]] as const) {
      const buckets = chooseBuckets(INITIAL_PIXELS, steps);
      assert.equal(byKey[key].buckets[runId], buckets);
      // The same reply GET /api/runs/:id/metrics would give at that count.
      assert.deepEqual(byKey[key].series[runId], await metricSeries(runId, key, { buckets }));
    }
  }
  assert.equal(byKey.train_loss.series[runs[0]].downsampled, true);
  assert.equal(byKey.train_loss.series[runs[1]].points.length, 300, "a short series comes raw");
});

test("bad or missing run lists get a clear 400", async () => {
  const missing = await get("/api/series/first");
  assert.equal(missing.status, 400);
  assert.match(missing.body.error!, /runs/);
  assert.equal((await get("/api/series/first?runs=,")).status, 400);
  const many = await get(`/api/series/first?runs=${Array.from({ length: 21 }, (_, i) => `r${i}`).join(",")}`);
  assert.equal(many.status, 400);
  assert.match(many.body.error!, /at most 20/);
  assert.equal((await get(`/api/series/first?runs=${"x".repeat(65)}`)).status, 400);
});

test("an unknown run reads as no series, not an error (the compare page reports it)", async () => {
  const { status, body } = await get(initialSeriesUrl([runs[1], "no-such-run"], null));
  assert.equal(status, 200);
  assert.deepEqual(body.data!.lr.series["no-such-run"].points, []);
});
