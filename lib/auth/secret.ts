/**
 * The key that signs session cookies: NEXTAUTH_SECRET when set, otherwise a
 * random one generated at first start and kept under the data folder, so
 * sessions survive restarts without any configuration.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { dataDir } from "@/lib/data-dir";

let cached: string | undefined;

export function secretFile(): string {
  return path.join(dataDir(), "nextauth-secret");
}

export function authSecret(): string {
  if (process.env.NEXTAUTH_SECRET) return process.env.NEXTAUTH_SECRET;
  if (cached) return cached;
  const file = secretFile();
  try {
    cached = fs.readFileSync(file, "utf8").trim();
    if (cached) return cached;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fresh = crypto.randomBytes(32).toString("base64url");
  try {
    // "wx": when two processes start at once, the first writer wins and the other reads its secret.
    fs.writeFileSync(file, fresh + "\n", { flag: "wx", mode: 0o600 });
    cached = fresh;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    cached = fs.readFileSync(file, "utf8").trim();
  }
  return cached;
}
