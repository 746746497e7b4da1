/**
 * `npm run bench` for several instances: two server processes on one fresh
 * database and one Redis (REDIS_URL, default redis://127.0.0.1:6379), and
 * simulated trainers spread over both, each logging at 10 Hz and an image
 * every "epoch" (10 s). Every run is watched on /live through the *other*
 * instance, so each point crosses Redis. Prints points/s, the p95 latency
 * from log() to that subscriber, and lost or duplicated points (must be 0).
 * As the anchor, every fifth run is also watched on its own instance: the
 * same-instance latency measured in the same run, under the same load.
 * Usage: npx tsx bench/cluster.ts [--trainers 50] [--seconds 120]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { io } from "socket.io-client";
import { fromWireNumber, type LiveEvents } from "@/lib/protocol/wire";
import { Run } from "@/lib/sdk/run";
import { createCluster } from "../test/helpers/instances";

const { values } = parseArgs({ options: { trainers: { type: "string", default: "50" }, seconds: { type: "string", default: "120" } } });
const trainers = Number(values.trainers);
const seconds = Number(values.seconds);
if (!Number.isInteger(trainers) || trainers < 1 || !(seconds > 0)) {
  console.error("usage: npx tsx bench/cluster.ts [--trainers 50] [--seconds 120]");
  process.exit(2);
}
const HZ = 10;
const STEPS_PER_EPOCH = 10 * HZ;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Watches one run on one instance: which steps of "loss" arrived, how often, and how late. */
async function watch(url: string, runId: string, t0: number) {
  const socket = io(`${url}/live`, { transports: ["websocket"] });
  const seen = new Map<number, number>();
  const latencies: number[] = [];
  let images = 0;
  socket.on("metrics", (e: Parameters<LiveEvents["metrics"]>[0]) => {
    const now = performance.now() - t0;
    for (const p of e.points) {
      if (p.key === "loss") seen.set(p.step, (seen.get(p.step) ?? 0) + 1);
      // "sent" carries the moment log() was called, on this process's clock.
      if (p.key === "sent") latencies.push(now - fromWireNumber(p.value));
    }
  });
  socket.on("image", () => images++);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  const ack = (await socket.timeout(10_000).emitWithAck("subscribe", { runId })) as { ok: boolean; error?: string };
  if (!ack.ok) throw new Error(`subscribe: ${ack.error}`);
  return { seen, latencies, images: () => images, close: () => socket.close() };
}

async function main(): Promise<void> {
  const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-bench-cluster-"));
  const cluster = await createCluster();
  try {
    const a = await cluster.start("a");
    const b = await cluster.start("b");
    const instances = [a, b];
    console.log(
      `bench: instances at ${a.url} and ${b.url}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}; ${trainers} trainers at ${HZ} Hz for ${seconds} s`,
    );
    const image = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#3366cc" } }).png().toBuffer();
    const t0 = performance.now();

    const runs = await Promise.all(Array.from({ length: trainers }, (_, i) => Run.init({ url: instances[i % 2].url, project: "bench-cluster", name: `trainer-${i}`, spoolDir })));
    // Each run is watched through the instance its trainer does not talk to.
    const watchers = await Promise.all(runs.map((r, i) => watch(instances[(i + 1) % 2].url, r.id!, t0)));
    const anchors = await Promise.all(runs.filter((_, i) => i % 5 === 0).map((r, i) => watch(instances[(i * 5) % 2].url, r.id!, t0)));

    const steps = Math.round(seconds * HZ);
    const started = performance.now();
    for (let step = 0; step < steps; step++) {
      for (const run of runs) {
        run.log({ loss: Math.exp(-step / 500) + Math.random() * 0.01, sent: performance.now() - t0 }, step);
        if (step % STEPS_PER_EPOCH === STEPS_PER_EPOCH - 1) run.logImage("validation", image, { step, epoch: step / STEPS_PER_EPOCH });
      }
      const due = started + ((step + 1) * 1000) / HZ;
      await sleep(Math.max(0, due - performance.now()));
    }
    const logSeconds = (performance.now() - started) / 1000;
    await Promise.all(runs.map((r) => r.finish()));
    // Stragglers: wait until every watcher holds every step, or 30 s.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && watchers.some((w) => w.seen.size < steps)) await sleep(200);
    [...watchers, ...anchors].forEach((w) => w.close());

    let lost = 0;
    let duplicated = 0;
    for (const w of watchers) {
      for (let s = 0; s < steps; s++) {
        const n = w.seen.get(s) ?? 0;
        if (n === 0) lost++;
        if (n > 1) duplicated += n - 1;
      }
    }
    const pct = (ws: typeof watchers, q: number) => {
      const sorted = ws.flatMap((w) => w.latencies).sort((x, y) => x - y);
      return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
    };
    const points = trainers * steps * 2;
    const images = watchers.reduce((n, w) => n + w.images(), 0);
    const lines = [
      `cluster, 2 instances, ${trainers} trainers x ${HZ} Hz x 2 metrics for ${logSeconds.toFixed(0)} s: ${Math.round(points / logSeconds).toLocaleString("en")} points/s logged`,
      `latency log() -> /live on the other instance: p50 ${pct(watchers, 0.5)} ms, p95 ${pct(watchers, 0.95)} ms`,
      `  anchor, the same runs' points on their own instance: p50 ${pct(anchors, 0.5)} ms, p95 ${pct(anchors, 0.95)} ms (cross-instance p95 = ${(pct(watchers, 0.95) / pct(anchors, 0.95)).toFixed(2)} x)`,
      `images seen on the other instance: ${images} of ${trainers * Math.floor(steps / STEPS_PER_EPOCH)}`,
      `lost points: ${lost}, duplicated points: ${duplicated}   (target 0 and 0) ${lost === 0 && duplicated === 0 ? "OK" : "MISSED"}`,
    ];
    console.log("\nsummary (this machine):\n" + lines.map((l) => `  ${l}`).join("\n"));
    if (lost || duplicated) process.exitCode = 1;
  } finally {
    await cluster.close();
    fs.rmSync(spoolDir, { recursive: true, force: true });
  }
}

await main();
