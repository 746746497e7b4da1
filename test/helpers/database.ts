/**
 * Every test file gets a database of its own on a real PostgreSQL: a fresh
 * database on the server at DATABASE_URL when it is set (CI), otherwise on an
 * embedded server under a temporary data directory.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { readEnv } from "@/lib/config/env";
import { startEmbeddedPostgres } from "@/lib/server/db/embedded-postgres";

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `inkstone_test_${process.pid}_${Date.now().toString(36)}`;
  const base = readEnv("INKSTONE_TEST_DATABASE_URL") ?? readEnv("DATABASE_URL");
  if (base) {
    // Kept for later files in this process, which may set DATABASE_URL to their own database.
    process.env.INKSTONE_TEST_DATABASE_URL = base;
    await admin(base, `CREATE DATABASE ${name}`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    return { url: url.toString(), drop: () => admin(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-pg-"));
  fs.chmodSync(dir, 0o755);
  const port = 40000 + Math.floor(Math.random() * 20000);
  const embedded = await startEmbeddedPostgres({ dataDir: dir, port });
  return {
    url: embedded.url,
    drop: async () => {
      await embedded.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
