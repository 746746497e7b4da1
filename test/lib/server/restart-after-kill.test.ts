/**
 * Fault test: `kill -9` of the server's node process alone leaves its
 * embedded PostgreSQL running on the data folder. The next start must stop
 * that orphan and serve again within 30 s, with no manual step. And a Ctrl+C
 * (SIGINT to the terminal's whole process group) shuts down quietly.
 * Serves pages: needs `next build` (npm test does it).
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";

/**
 * Starts `server.ts` on its own data folder and resolves with its URL once it
 * serves; fails unless it serves within `timeoutMs`. `groupLeader`: in a
 * process group of its own, as a terminal runs a command.
 */
function startNode(
  dataDir: string,
  pgPort: number,
  { timeoutMs = 60_000, groupLeader = false } = {},
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, INKSTONE_DATA_DIR: dataDir, INKSTONE_PG_PORT: String(pgPort), PORT: "0" };
  delete env.DATABASE_URL;
  // node itself, not the tsx CLI, so that SIGKILL hits the server process and nothing else.
  const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], { env, stdio: ["ignore", "pipe", "pipe"], detached: groupLeader });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "serving on" within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => output });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server.ts exited with ${code} before serving:\n${output}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once("exit", () => r()));
}

test("after SIGKILL of node alone, the next start stops the orphaned postmaster and serves within 30 s", { timeout: 180_000 }, async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-restart-"));
  fs.chmodSync(dataDir, 0o755);
  const pgPort = 40000 + Math.floor(Math.random() * 20000);
  let second: ChildProcess | undefined;
  try {
    const first = await startNode(dataDir, pgPort);
    const created = await fetch(`${first.url}/api/runs`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"project":"restart"}' });
    assert.equal(created.status, 201);
    const { id } = (await created.json()) as { id: string };

    first.child.kill("SIGKILL");
    await exited(first.child);
    const pidFile = path.join(dataDir, "postgres", "postmaster.pid");
    const orphan = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
    assert.doesNotThrow(() => process.kill(orphan, 0), "the postmaster outlived node, as after a real kill -9");

    const again = await startNode(dataDir, pgPort, { timeoutMs: 30_000 });
    second = again.child;
    const run = await fetch(`${again.url}/api/runs/${id}`);
    assert.equal(run.status, 200, "the run created before the kill is still there");
    assert.throws(() => process.kill(orphan, 0), "the orphaned postmaster was stopped");
  } finally {
    if (second) {
      second.kill("SIGTERM");
      await exited(second);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test("Ctrl+C: the server closes its connections, then stops PostgreSQL, without an error line", { timeout: 180_000 }, async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-ctrl-c-"));
  fs.chmodSync(dataDir, 0o755);
  const pgPort = 40000 + Math.floor(Math.random() * 20000);
  const server = await startNode(dataDir, pgPort, { groupLeader: true });
  try {
    // Connections in the pool, idle by the time the signal comes.
    for (const [method, body] of [["POST", '{"project":"ctrl-c"}'], ["GET", undefined], ["GET", undefined]] as const) {
      const res = await fetch(`${server.url}/api/runs`, { method, headers: { "content-type": "application/json" }, body });
      assert.ok(res.ok, `${method} /api/runs answered ${res.status}`);
    }
    const postmaster = Number(fs.readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
    // What a terminal does on Ctrl+C: SIGINT to every process of the foreground group.
    process.kill(-server.child.pid!, "SIGINT");
    await exited(server.child);
    assert.equal(server.child.exitCode, 0, server.output());
    assert.match(server.output(), /SIGINT, shutting down/);
    assert.doesNotMatch(server.output(), /idle database connection failed|terminating connection/, "no connection was open when PostgreSQL stopped");
    assert.throws(() => process.kill(postmaster, 0), "PostgreSQL stopped with the server");
  } finally {
    if (server.child.exitCode === null) server.child.kill("SIGKILL");
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
