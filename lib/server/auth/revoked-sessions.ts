/**
 * Signing out ends the session on the server too. Sessions are JWT cookies,
 * valid by signature alone, so each carries a session id (`sid`, set at sign-in
 * and kept across refreshes) and a signed-out id is refused until the
 * session would have expired anyway.
 */
import crypto from "node:crypto";
import { prisma } from "@/lib/server/db/prisma";

export function newSessionId(): string {
  return crypto.randomUUID();
}

export async function revokeSession(sessionId: string, expiresAt: Date): Promise<void> {
  await prisma.revokedSession.upsert({ where: { sessionId }, create: { sessionId, expiresAt }, update: {} });
  // Expired entries refuse nothing any more: the cookie's own expiry does.
  await prisma.revokedSession.deleteMany({ where: { expiresAt: { lt: new Date() } } });
}

export async function isSessionRevoked(sessionId: string): Promise<boolean> {
  return (await prisma.revokedSession.count({ where: { sessionId } })) > 0;
}
