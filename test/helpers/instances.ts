/**
 * Several server instances as separate processes (`server.ts`, as `npm start`
 * runs it) on one test database and one Redis: what a balancer would spread
 * traffic over. Each has its own port and data folder; they share only what
 * real instances share.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createClient } from "redis";
import { createTestDatabase, type TestDatabase } from "./database";
import { readEnv } from "@/lib/config/env";
import { waitFor } from "./wait-for";

export const REDIS_URL = readEnv("INKSTONE_TEST_REDIS_URL");

export interface Instance {
  name: string;
  url: string;
  process: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Waits until its output matches, or fails after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface Cluster {
  db: TestDatabase;
  /** The Redis stream this cluster's instances share; unique per cluster so parallel runs stay apart. */
  stream: string;
  start(name: string, env?: Record<string, string>): Promise<Instance>;
  close(): Promise<void>;
}

export async function createCluster(env: Record<string, string> = {}): Promise<Cluster> {
  const db = await createTestDatabase();
  const stream = `inkstone-test:${process.pid}:${Date.now().toString(36)}`;
  const instances: Instance[] = [];
  const dirs: string[] = [];
  return {
    db,
    stream,
    async start(name, extra = {}) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `inkstone-${name}-`));
      dirs.push(dataDir);
      const port = await freePort();
      const instance = spawnInstance(name, port, {
        ...withoutSecrets(process.env),
        DATABASE_URL: db.url,
        REDIS_URL,
        INKSTONE_REDIS_STREAM: stream,
        INKSTONE_DATA_DIR: dataDir,
        PORT: String(port),
        NEXT_TELEMETRY_DISABLED: "1",
        ...env,
        ...extra,
      });
      instances.push(instance);
      await instance.waitFor(/inkstone: serving on/, 120_000);
      return instance;
    },
    async close() {
      await Promise.all(instances.map((i) => i.kill("SIGTERM")));
      const redis = createClient({ url: REDIS_URL });
      await redis.connect();
      const keys = await redis.keys(`${stream}*`);
      if (keys.length) await redis.del(keys);
      await redis.quit();
      await db.drop();
      for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The instances must agree on the session secret through the database, not through the environment. */
function withoutSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NEXTAUTH_SECRET: _a, AUTH_SECRET: _b, ...rest } = env;
  return rest;
}

function spawnInstance(name: string, port: number, env: NodeJS.ProcessEnv): Instance {
  const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    if (readEnv("INKSTONE_TEST_VERBOSE")) process.stderr.write(`[${name}] ${chunk}`);
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    process: child,
    output: () => output,
    async waitFor(pattern, ms = 30_000) {
      const printed = () => {
        if (pattern.test(output)) return true;
        if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) before printing ${pattern}:\n${output}`);
        return false;
      };
      await waitFor(printed, { what: `${name} to print ${pattern}`, describe: () => `\n${output}`, timeout: ms, interval: 50 });
    },
    async kill(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
