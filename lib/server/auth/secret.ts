/**
 * The key that signs session cookies: NEXTAUTH_SECRET when set, otherwise one
 * random key kept in the database (ServerSecret), so that every instance
 * sharing the database signs and reads the same cookies, and sessions survive
 * restarts without any configuration. The server loads it once at start
 * (loadAuthSecret); route handlers in Next's bundles read it through globalThis.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { dataDir } from "@/lib/server/data-dir";
import { prisma } from "@/lib/server/db/prisma";
import { readEnv } from "@/lib/config/env";

const NAME = "nextauth";
const holder = globalThis as unknown as { __inkstoneAuthSecret?: string };

/** Where servers before the shared secret kept theirs; adopted once so existing sessions stay valid. */
export function legacySecretFile(): string {
  return path.join(dataDir(), "nextauth-secret");
}

export async function loadAuthSecret(): Promise<string> {
  const configured = readEnv("NEXTAUTH_SECRET");
  if (configured) return configured;
  const candidate = readLegacySecret() ?? crypto.randomBytes(32).toString("base64url");
  // When two instances start at once, the first insert wins and both read it back.
  await prisma.serverSecret.createMany({ data: [{ name: NAME, value: candidate }], skipDuplicates: true });
  const stored = await prisma.serverSecret.findUniqueOrThrow({ where: { name: NAME } });
  holder.__inkstoneAuthSecret = stored.value;
  return stored.value;
}

export function authSecret(): string {
  const secret = readEnv("NEXTAUTH_SECRET") ?? holder.__inkstoneAuthSecret;
  if (!secret) throw new Error("the session secret is not loaded: the server calls loadAuthSecret() at start");
  return secret;
}

function readLegacySecret(): string | undefined {
  try {
    return fs.readFileSync(legacySecretFile(), "utf8").trim() || undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    return undefined;
  }
}
