/**
 * The session-signing secret: NEXTAUTH_SECRET when set, else one kept in the
 * database, so every instance sharing it (and every restart) signs alike.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { authSecret, legacySecretFile, loadAuthSecret } from "@/lib/server/auth/secret";
import { disconnect } from "@/lib/server/db/prisma";
import { applyPendingMigrations } from "@/lib/server/db/migrations";
import { createTestDatabase, type TestDatabase } from "../../../helpers/database";

let db: TestDatabase;
const saved = { url: process.env.DATABASE_URL, dir: process.env.INKSTONE_DATA_DIR, secret: process.env.NEXTAUTH_SECRET };

before(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  delete process.env.NEXTAUTH_SECRET;
  await applyPendingMigrations(db.url);
});
after(async () => {
  await disconnect();
  await db?.drop();
  for (const [name, value] of [["DATABASE_URL", saved.url], ["INKSTONE_DATA_DIR", saved.dir], ["NEXTAUTH_SECRET", saved.secret]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** loadAuthSecret() in a separate process, as a second instance (own data folder) would run it. */
function loadInAnotherProcess(dataDir: string): string {
  return execFileSync(process.execPath, ["--import", "tsx", "-e", 'import("./lib/server/auth/secret.ts").then(async (m) => { console.log(await m.loadAuthSecret()); process.exit(0) })'], {
    env: { ...process.env, INKSTONE_DATA_DIR: dataDir, NEXTAUTH_SECRET: "" },
    encoding: "utf8",
  }).trim();
}

test("a pre-existing data-folder secret is adopted once, then every instance reads the database's", async () => {
  const first = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-secret-a-"));
  const second = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-secret-b-"));
  try {
    process.env.INKSTONE_DATA_DIR = first;
    fs.writeFileSync(legacySecretFile(), "kept-from-before\n", { mode: 0o600 });
    assert.equal(await loadAuthSecret(), "kept-from-before", "sessions signed before the upgrade stay valid");
    assert.equal(authSecret(), "kept-from-before");
    fs.writeFileSync(path.join(second, "nextauth-secret"), "another-instance-file\n");
    assert.equal(loadInAnotherProcess(second), "kept-from-before", "another instance with another data folder agrees");
  } finally {
    fs.rmSync(first, { recursive: true, force: true });
    fs.rmSync(second, { recursive: true, force: true });
  }
});

test("without any secret a random 256-bit one is stored; NEXTAUTH_SECRET overrides it", async () => {
  const pool = (await import("@/lib/server/db/prisma")).pool();
  await pool.query(`DELETE FROM "ServerSecret"`);
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-secret-c-"));
  try {
    process.env.INKSTONE_DATA_DIR = empty;
    const fresh = await loadAuthSecret();
    assert.match(fresh, /^[A-Za-z0-9_-]{43}$/, "256 bits, base64url");
    assert.equal(loadInAnotherProcess(empty), fresh);
    process.env.NEXTAUTH_SECRET = "from-the-environment";
    assert.equal(authSecret(), "from-the-environment");
  } finally {
    delete process.env.NEXTAUTH_SECRET;
    fs.rmSync(empty, { recursive: true, force: true });
  }
});
