/** The session-signing secret: NEXTAUTH_SECRET when set, else generated once and kept under the data folder. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";

test("a secret is generated at first use, persisted with owner-only permissions, and reused", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-secret-"));
  const saved = { dir: process.env.INKSTONE_DATA_DIR, secret: process.env.NEXTAUTH_SECRET };
  try {
    process.env.INKSTONE_DATA_DIR = dir;
    delete process.env.NEXTAUTH_SECRET;
    const { authSecret, secretFile } = await import("@/lib/auth/secret");
    const first = authSecret();
    assert.match(first, /^[A-Za-z0-9_-]{43}$/, "256 bits, base64url");
    assert.equal(fs.readFileSync(secretFile(), "utf8").trim(), first);
    assert.equal(fs.statSync(secretFile()).mode & 0o777, 0o600);
    const restarted = execFileSync(process.execPath, ["--import", "tsx", "-e", 'import("./lib/auth/secret.ts").then((m) => console.log(m.authSecret()))'], {
      env: { ...process.env, INKSTONE_DATA_DIR: dir },
      encoding: "utf8",
    });
    assert.equal(restarted.trim(), first, "a restarted server reads the same secret");
    process.env.NEXTAUTH_SECRET = "from-the-environment";
    assert.equal(authSecret(), "from-the-environment");
  } finally {
    if (saved.dir === undefined) delete process.env.INKSTONE_DATA_DIR;
    else process.env.INKSTONE_DATA_DIR = saved.dir;
    if (saved.secret === undefined) delete process.env.NEXTAUTH_SECRET;
    else process.env.NEXTAUTH_SECRET = saved.secret;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
