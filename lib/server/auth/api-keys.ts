/**
 * Per-account API keys for the SDK. A key is shown once at creation; only its
 * sha256 and a short prefix (to tell keys apart) are stored.
 *
 * New keys are 21 letters and digits, the one form that Inkstone's SDK,
 * SwanLab's SDK (0.7.x accepts nothing else) and MLflow's token all take.
 * Keys issued earlier ("ink_" + base64url) keep working: lookup is by hash.
 */
import crypto from "node:crypto";
import { z } from "zod";
import { nameText } from "@/lib/protocol/schemas";
import { prisma } from "@/lib/server/db/prisma";
import { notFound } from "@/lib/server/http/errors";
import { sha256 } from "@/lib/server/tokens";
import { parseInput } from "@/lib/server/http/validate";
import type { SessionUser } from "./accounts";

const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const KEY_LENGTH = 21;
/** Longer than any key ever issued; a longer string is not looked up. */
const MAX_KEY_LENGTH = 64;

const createKeySchema = z.object({
  name: nameText(100, "a name").pipe(z.string().trim().min(1, "give the key a name")),
});

export async function createApiKey(user: SessionUser, payload: unknown) {
  const { name } = parseInput(createKeySchema, payload);
  const key = newApiKey();
  const row = await prisma.apiKey.create({
    data: { userId: user.id, name, prefix: key.slice(0, 6), keyHash: sha256(key) },
  });
  return { ...publicKey(row), key };
}

export async function listApiKeys(user: SessionUser) {
  const rows = await prisma.apiKey.findMany({ where: { userId: user.id }, orderBy: { createdAt: "desc" } });
  return rows.map(publicKey);
}

export async function revokeApiKey(user: SessionUser, id: string): Promise<void> {
  const { count } = await prisma.apiKey.updateMany({ where: { id, userId: user.id, revokedAt: null }, data: { revokedAt: new Date() } });
  if (!count) throw notFound("no such active key");
}

/** The owner of a valid, unrevoked key (and notes its use), or null. */
export async function userForApiKey(key: string): Promise<{ userId: string; keyId: string } | null> {
  if (!key || key.length > MAX_KEY_LENGTH) return null;
  const row = await prisma.apiKey.findUnique({ where: { keyHash: sha256(key) }, select: { id: true, userId: true, revokedAt: true, lastUsedAt: true } });
  if (!row || row.revokedAt) return null;
  // One write a minute at most, so a busy SDK does not turn every read into a write.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await prisma.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return { userId: row.userId, keyId: row.id };
}

/** Whether a key, by id, is still unrevoked: sessions opened with it last as long as it does. */
export async function isApiKeyActive(keyId: string): Promise<boolean> {
  const row = await prisma.apiKey.findUnique({ where: { id: keyId }, select: { revokedAt: true } });
  return !!row && !row.revokedAt;
}

/** 21 characters drawn uniformly from 62 (about 125 bits), by rejection sampling. */
export function newApiKey(): string {
  let key = "";
  while (key.length < KEY_LENGTH) {
    for (const byte of crypto.randomBytes(32)) {
      // 248 = 4 * 62: bytes above it would favour the first letters.
      if (byte < 248 && key.length < KEY_LENGTH) key += KEY_ALPHABET[byte % 62];
    }
  }
  return key;
}

function publicKey(k: { id: string; name: string; prefix: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}
