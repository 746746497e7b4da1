/**
 * Dashboard performance, measured in Chromium against the production build:
 *   - first render of a run page with 10 metrics x 15,000 points (target < 1.5 s),
 *   - the compare view of 10 such runs (target < 2 s),
 *   - the runs API with 10,000 runs, server time (target < 200 ms).
 * "First render" is from navigation start until every chart has drawn its
 * data, in a fresh browser context (cold cache). Needs `npx next build` first.
 * Run: DATABASE_URL=postgresql://... node --import tsx bench/dashboard.ts
 */
import type { Browser } from "playwright-core";
import { pool } from "@/lib/server/db/prisma";
import { insertPointsWithRollups } from "@/lib/server/metrics/rollup";
import { chromiumMissing, launchBrowser } from "../test/helpers/browser";
import { createRunViaApi, startTestServer } from "../test/helpers/server";

const METRICS = 10;
const POINTS = 15_000;
const RUNS = 10;
const LIST_RUNS = 10_000;
const REPEATS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function report(label: string, ms: number[], targetMs: number, detail = ""): boolean {
  const m = median(ms);
  const ok = m < targetMs;
  console.log(
    `${label.padEnd(58)} median ${m.toFixed(0).padStart(5)} ms  (min ${Math.min(...ms).toFixed(0)}, max ${Math.max(...ms).toFixed(0)})  target < ${targetMs} ms  ${ok ? "OK" : "SLOW"}${detail}`,
  );
  return ok;
}

interface RenderTiming {
  /** Navigation start to every chart drawn. */
  total: number;
  /** Navigation start to the last byte of the server-rendered HTML. */
  html: number;
  /** Navigation start to DOMContentLoaded (scripts parsed). */
  dom: number;
}

function renderReport(label: string, runs: RenderTiming[], targetMs: number): boolean {
  const detail = `  [html ${median(runs.map((r) => r.html)).toFixed(0)} ms, DOM ready ${median(runs.map((r) => r.dom)).toFixed(0)} ms]`;
  return report(
    label,
    runs.map((r) => r.total),
    targetMs,
    detail,
  );
}

/** One run with 10 metrics of 15,000 points, stored the way ingestion stores them (points and rollups). */
async function seedRun(url: string): Promise<string> {
  const { id } = await createRunViaApi(url, { name: "bench-0", config: { learning_rate: 1e-5, seed: 0 } });
  const t0 = Date.now() - POINTS * 1000;
  for (let m = 0; m < METRICS; m++) {
    const key = m === 0 ? "train_loss" : m === 1 ? "lr" : m === 2 ? "epoch" : `metric_${m}`;
    const points = Array.from({ length: POINTS }, (_, step) => ({
      key,
      step,
      value: m === 2 ? Math.floor(step / 1000) : Math.exp(-step / 5000) * (1 + m) + 0.05 * Math.sin(step * 0.7 + m),
      time: new Date(t0 + step * 1000),
    }));
    await insertPointsWithRollups(pool(), id, points);
  }
  await fetch(`${url}/api/runs/${id}`, { method: "GET" });
  return id;
}

/** Copies the seeded run's series to new runs with SQL, scaled a little so the lines differ. */
async function cloneRun(url: string, source: string, i: number): Promise<string> {
  const { id } = await createRunViaApi(url, { name: `bench-${i}`, config: { learning_rate: 1e-5 * (i + 1), seed: i } });
  const scale = 1 + i * 0.07;
  await pool().query(
    `INSERT INTO "MetricPoint" ("runId", "key", "step", "value", "time") SELECT $2, "key", "step", "value" * $3, "time" FROM "MetricPoint" WHERE "runId" = $1`,
    [source, id, scale],
  );
  await pool().query(
    `INSERT INTO "MetricRollup" ("runId", "key", "width", "bucket", "count", "minValue", "maxValue", "lastStep", "lastValue", "lastTime")
     SELECT $2, "key", "width", "bucket", "count", "minValue" * $3, "maxValue" * $3, "lastStep", "lastValue" * $3, "lastTime" FROM "MetricRollup" WHERE "runId" = $1`,
    [source, id, scale],
  );
  return id;
}

/** Milliseconds from navigation start until `charts` charts have each drawn `series` series. */
async function firstRender(browser: Browser, url: string, charts: number, series: number): Promise<RenderTiming> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: "commit" });
    const handle = await page.waitForFunction(
      ([charts, series]) => {
        const boxes = [...document.querySelectorAll<HTMLElement>("[data-drawn]")];
        const done = boxes.filter((b) => b.dataset.ready === "1" && Number(b.dataset.drawn) === series);
        return done.length >= charts ? performance.now() : false;
      },
      [charts, series] as const,
      { polling: "raf", timeout: 60_000 },
    );
    const total = (await handle.jsonValue()) as number;
    const nav = await page.evaluate(() => {
      const n = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      return { html: n.responseEnd, dom: n.domContentLoadedEventEnd };
    });
    return { total, ...nav };
  } finally {
    await context.close();
  }
}

async function seedRunsList(): Promise<void> {
  const { rows } = await pool().query<{ id: string }>(`INSERT INTO "Project" ("id", "name") VALUES ('bench-list', 'bench-list') RETURNING "id"`);
  await pool().query(
    `INSERT INTO "Run" ("id", "projectId", "name", "status", "config", "tags", "ingestTokenHash", "createdAt", "startedAt", "endedAt")
     SELECT 'list-' || g, $1, 'sweep lr=' || (g % 97) || ' seed=' || g,
            (ARRAY['finished','failed','running','crashed']::"RunStatus"[])[1 + g % 4],
            jsonb_build_object('learning_rate', 1e-5 * (1 + g % 10), 'seed', g, 'resolution', 512),
            ARRAY['sweep', 'batch-' || (g % 20)], md5('bench' || g),
            now() - g * interval '1 minute', now() - g * interval '1 minute', now() - g * interval '1 minute' + interval '30 minutes'
     FROM generate_series(1, $2::int) g`,
    [rows[0].id, LIST_RUNS],
  );
  await pool().query(`ANALYZE "Run"`);
}

async function timeGet(url: string): Promise<number> {
  const t = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return performance.now() - t;
}

async function main() {
  const missing = chromiumMissing();
  const server = await startTestServer();
  let browser: Browser | undefined;
  let ok = true;
  try {
    console.log(`seeding ${RUNS} runs x ${METRICS} metrics x ${POINTS} points ...`);
    const first = await seedRun(server.url);
    const runs = [first];
    for (let i = 1; i < RUNS; i++) runs.push(await cloneRun(server.url, first, i));
    console.log(`seeding ${LIST_RUNS} runs for the runs page ...`);
    await seedRunsList();

    if (missing) console.log(`skipping browser figures: ${missing}`);
    else {
      browser = await launchBrowser();
      // Warm the server (first requests load route modules) and nothing else: each measure uses a fresh context.
      await firstRender(browser, `${server.url}/runs/${runs[1]}?tab=charts`, METRICS, 1);
      await firstRender(browser, `${server.url}/compare?runs=${runs.slice(1, 3).join(",")}`, METRICS, 2);
      const runPage: RenderTiming[] = [];
      const compare: RenderTiming[] = [];
      for (let r = 0; r < REPEATS; r++) runPage.push(await firstRender(browser, `${server.url}/runs/${first}?tab=charts`, METRICS, 1));
      for (let r = 0; r < REPEATS; r++) compare.push(await firstRender(browser, `${server.url}/compare?runs=${runs.join(",")}`, METRICS, RUNS));
      ok = renderReport(`run page first render (${METRICS} metrics x ${POINTS} points)`, runPage, 1500) && ok;
      ok = renderReport(`compare view first render (${RUNS} runs)`, compare, 2000) && ok;
    }

    const list: number[] = [];
    const filtered: number[] = [];
    await timeGet(`${server.url}/api/runs`);
    for (let r = 0; r < REPEATS * 4; r++) list.push(await timeGet(`${server.url}/api/runs?pageSize=50`));
    for (let r = 0; r < REPEATS * 4; r++) filtered.push(await timeGet(`${server.url}/api/runs?pageSize=50&status=finished&tag=sweep&q=seed%3D7&sort=name&order=asc`));
    ok = report(`GET /api/runs, ${LIST_RUNS + RUNS} runs, first page`, list, 200) && ok;
    ok = report(`GET /api/runs, ${LIST_RUNS + RUNS} runs, filtered + sorted + searched`, filtered, 200) && ok;
  } finally {
    await browser?.close();
    await server.close();
  }
  process.exitCode = ok ? 0 : 1;
}

await main();
