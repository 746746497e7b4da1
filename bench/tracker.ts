/**
 * `npm run bench` for the tracker, on this machine: starts the real server on
 * a fresh database and measures
 *   1. ingestion throughput: points/s stored, sustained for 10 s, from several
 *      SDK clients running in their own processes (target >= 50,000);
 *   2. latency from log() to a /live subscriber, p50 and p95 (target p95 < 500 ms),
 *      on a quiet server and during the throughput run;
 *   3. a 2,000-bucket downsample of a 1,000,000-point series (target < 100 ms),
 *      over HTTP and in lib/server/metrics/series.ts directly.
 * Usage: npx tsx bench/tracker.ts [--clients 4] [--seconds 10]
 */
import { fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { io } from "socket.io-client";
import { Run } from "@/lib/sdk/run";
import { readEnv } from "@/lib/config/env";

const self = fileURLToPath(import.meta.url);

// ---- child processes: SDK clients ----------------------------------------------------------

type ClientMessage = { runId: string } | { done: true; logged: number };

/** Logs 10 metrics per step as fast as the server takes them, keeping at most a few MB unconfirmed. */
async function loadClient(url: string, seconds: number, spoolDir: string): Promise<void> {
  const run = await Run.init({ url, project: "bench", name: `load-${process.pid}`, spoolDir });
  send({ runId: run.id! });
  const keys = Array.from({ length: 10 }, (_, i) => `train/metric_${i}`);
  const end = Date.now() + seconds * 1000;
  let step = 0;
  while (Date.now() < end) {
    if (run.bufferedBytes > 2 * 1024 * 1024) {
      await sleep(2);
      continue;
    }
    for (let i = 0; i < 100; i++, step++) {
      const metrics: Record<string, number> = {};
      for (const k of keys) metrics[k] = Math.sin(step / 100) + Math.random();
      run.log(metrics, step);
    }
    await new Promise((r) => setImmediate(r));
  }
  await run.finish();
  send({ done: true, logged: step * keys.length });
}

/** Logs one point every `everyMs`; the parent times its arrival on /live. */
async function latencyClient(url: string, seconds: number, everyMs: number, spoolDir: string): Promise<void> {
  const run = await Run.init({ url, project: "bench", name: `latency-${process.pid}`, spoolDir });
  send({ runId: run.id! });
  await sleep(1000); // the parent subscribes meanwhile
  const end = Date.now() + seconds * 1000;
  let step = 0;
  while (Date.now() < end) {
    run.log({ "latency/probe": step }, step);
    step++;
    await sleep(everyMs);
  }
  await run.finish();
  send({ done: true, logged: step });
}

function send(m: ClientMessage): void {
  process.send!(m);
}

// ---- the parent: server, phases, report ---------------------------------------------------

interface Client {
  child: ChildProcess;
  runId: Promise<string>;
  done: Promise<number>;
}

/** Every client process started, to stop them when the bench is interrupted. */
const children: ChildProcess[] = [];

function spawnClient(args: string[]): Client {
  const child = fork(self, ["client", ...args], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  children.push(child);
  let resolveId!: (id: string) => void;
  let resolveDone!: (n: number) => void;
  const runId = new Promise<string>((r) => (resolveId = r));
  const done = new Promise<number>((resolve, reject) => {
    resolveDone = resolve;
    child.once("exit", (code) => (code ? reject(new Error(`bench client exited with ${code}`)) : undefined));
  });
  child.on("message", (m: ClientMessage) => ("runId" in m ? resolveId(m.runId) : resolveDone(m.logged)));
  return { child, runId, done };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { clients: { type: "string", default: "4" }, seconds: { type: "string", default: "10" } },
  });
  const clients = Number(values.clients);
  const seconds = Number(values.seconds);
  // Imported here so that the client processes do not load the server.
  const { startTestServer } = await import("../test/helpers/server");
  const { pool } = await import("@/lib/server/db/prisma");
  const { insertPointsWithRollups } = await import("@/lib/server/metrics/rollup");
  const { metricSeries } = await import("@/lib/server/metrics/series");
  const { createRunViaApi } = await import("../test/helpers/server");

  const server = await startTestServer();
  const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-bench-spool-"));
  // Interrupted: stop the clients, the server and its database before leaving.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      for (const c of children) c.kill();
      server.close().finally(() => {
        fs.rmSync(spoolDir, { recursive: true, force: true });
        process.exit(130);
      });
    });
  }
  const results: string[] = [];
  const report = (line: string) => {
    results.push(line);
    console.log(line);
  };
  console.log(`bench: server at ${server.url}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  try {
    const live = await subscriber(server.url);

    // 2a. Latency on a quiet server.
    {
      const probe = spawnClient(["latency", server.url, "5", "20", spoolDir]);
      const lat = await live.measure(await probe.runId);
      await probe.done;
      const s = lat.stop();
      report(`latency log() -> /live, quiet:       p50 ${s.p50} ms, p95 ${s.p95} ms over ${s.n} points   (target p95 < 500 ms) ${s.p95 < 500 ? "OK" : "MISSED"}`);
    }

    // 1 + 2b. Throughput from several clients, with the latency probe alongside.
    {
      const warmup = 2;
      const load = Array.from({ length: clients }, () => spawnClient(["load", server.url, String(seconds + warmup + 1), spoolDir]));
      const probe = spawnClient(["latency", server.url, String(seconds + warmup), "20", spoolDir]);
      await Promise.all(load.map((c) => c.runId));
      const lat = await live.measure(await probe.runId);
      await sleep(warmup * 1000);
      const count = async () => Number((await pool().query(`SELECT count(*) AS n FROM "MetricPoint"`)).rows[0].n);
      const c0 = await count();
      const cpu0 = await serverCpu(pool());
      const t0 = performance.now();
      await sleep(seconds * 1000);
      const c1 = await count();
      const cpu1 = await serverCpu(pool());
      const rate = ((c1 - c0) / (performance.now() - t0)) * 1000;
      const s = lat.stop();
      const logged = (await Promise.all(load.map((c) => c.done))).reduce((a, b) => a + b, 0);
      await probe.done;
      const stored = await count();
      report(`ingestion throughput, ${clients} clients:  ${Math.round(rate).toLocaleString("en")} points/s stored, sustained ${seconds} s   (target >= 50,000) ${rate >= 50_000 ? "OK" : "MISSED"}`);
      report(`latency log() -> /live, under load:  p50 ${s.p50} ms, p95 ${s.p95} ms over ${s.n} points   (target p95 < 500 ms) ${s.p95 < 500 ? "OK" : "MISSED"}`);
      if (cpu0 && cpu1) {
        const perPoint = (key: "node" | "postgres") => ((cpu1[key] - cpu0[key]) * 1e6) / (c1 - c0);
        const total = perPoint("node") + perPoint("postgres");
        report(
          `  server CPU per stored point: ${perPoint("node").toFixed(1)} us in Node + ${perPoint("postgres").toFixed(1)} us in PostgreSQL` +
            ` = ${total.toFixed(1)} us, i.e. at most ~${Math.round((os.cpus().length * 1e6) / total).toLocaleString("en")} points/s if all ${os.cpus().length} CPUs served ingestion alone`,
        );
      }
      const expected = logged + (await pool().query(`SELECT count(*)::int AS n FROM "MetricPoint" WHERE "key" = 'latency/probe'`)).rows[0].n;
      if (stored !== expected) report(`  WARNING: clients logged ${expected} points, the database holds ${stored}`);
    }
    live.close();

    // 3. Downsampling a 1,000,000-point series.
    {
      const run = await createRunViaApi(server.url, { project: "bench", name: "million" });
      const n = 1_000_000;
      const t = performance.now();
      const time = new Date();
      for (let from = 0; from < n; from += 50_000) {
        const points = Array.from({ length: 50_000 }, (_, i) => ({ key: "loss", step: from + i, value: Math.exp(-(from + i) / 2e5) + Math.random() * 0.1, time }));
        await insertPointsWithRollups(pool(), run.id, points);
      }
      console.log(`bench: stored ${n.toLocaleString("en")} points in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      const url = `${server.url}/api/runs/${run.id}/metrics?key=loss&buckets=2000`;
      const httpMs = await timeIt(async () => {
        const res = await fetch(url);
        const body = (await res.json()) as { data: { points: unknown[] } };
        if (body.data.points.length > 2000 || body.data.points.length < 1900) throw new Error(`got ${body.data.points.length} buckets`);
      });
      const libMs = await timeIt(() => metricSeries(run.id, "loss", { buckets: 2000 }));
      report(`2,000-bucket downsample of 1M points: HTTP p50 ${httpMs.p50} ms, p95 ${httpMs.p95} ms; lib p50 ${libMs.p50} ms, p95 ${libMs.p95} ms   (target < 100 ms, on the HTTP p50) ${httpMs.p50 < 100 ? "OK" : "MISSED"}`);
    }
  } finally {
    await server.close();
    fs.rmSync(spoolDir, { recursive: true, force: true });
  }
  console.log("\nsummary (this machine):\n" + results.map((l) => `  ${l}`).join("\n"));
}

/**
 * CPU seconds used so far by this process (which hosts the server) and by the
 * PostgreSQL backends serving its database; null when those are not local processes.
 */
async function serverCpu(db: import("pg").Pool): Promise<{ node: number; postgres: number } | null> {
  const { rows } = await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`);
  let postgres = 0;
  try {
    for (const { pid } of rows) {
      // utime and stime, in clock ticks (100 per second on Linux), are fields 14 and 15.
      const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      postgres += (Number(fields[11]) + Number(fields[12])) / 100;
    }
  } catch {
    return null;
  }
  const own = process.cpuUsage();
  return { node: (own.user + own.system) / 1e6, postgres };
}

/** A /live subscriber timing points from their log() time to their arrival here. */
async function subscriber(url: string) {
  const socket = io(`${url}/live`, { transports: ["websocket"] });
  let delays: number[] = [];
  socket.on("metrics", (e: { points: { time: string }[] }) => {
    const now = Date.now();
    for (const p of e.points) delays.push(now - Date.parse(p.time));
  });
  return {
    async measure(runId: string) {
      delays = [];
      await socket.timeout(10_000).emitWithAck("subscribe", { runId });
      return {
        stop() {
          socket.emit("unsubscribe", { runId });
          return { ...percentiles(delays), n: delays.length };
        },
      };
    },
    close: () => socket.close(),
  };
}

async function timeIt(fn: () => Promise<unknown>, repeats = 20) {
  await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return percentiles(times);
}

function percentiles(values: number[]): { p50: number; p95: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10 : NaN);
  return { p50: at(0.5), p95: at(0.95) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

if (process.argv[2] === "client") {
  const [, , , role, url, seconds, ...rest] = process.argv;
  const run = role === "load" ? loadClient(url, Number(seconds), rest[0]) : latencyClient(url, Number(seconds), Number(rest[0]), rest[1]);
  run.then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
} else {
  if (!readEnv("DATABASE_URL") && !readEnv("INKSTONE_TEST_DATABASE_URL")) {
    console.log("bench: DATABASE_URL is not set; using an embedded PostgreSQL");
  }
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
