/**
 * Small self-contained tokens signed with the server's secret: SwanLab's
 * session id and its presigned upload URLs. Nothing to store or look up; a
 * token is valid while its signature matches and it has not expired.
 */
import crypto from "node:crypto";
import { authSecret } from "@/lib/server/auth/secret";

/** What a token is for, so that one kind can never be replayed as another. */
export type TokenPurpose = "swanlab-session" | "swanlab-upload";

function mac(purpose: TokenPurpose, body: string): string {
  return crypto.createHmac("sha256", authSecret()).update(`${purpose}.${body}`).digest("base64url");
}

export function signToken(purpose: TokenPurpose, payload: Record<string, unknown>, expiresAt: Date): string {
  const body = Buffer.from(JSON.stringify({ ...payload, exp: expiresAt.getTime() })).toString("base64url");
  return `${body}.${mac(purpose, body)}`;
}

/** The payload of a valid, unexpired token of this purpose, or null. */
export function verifyToken<T extends Record<string, unknown>>(purpose: TokenPurpose, token: string | undefined | null): T | null {
  if (!token || token.length > 4096) return null;
  const [body, signature, extra] = token.split(".");
  if (!body || !signature || extra !== undefined) return null;
  const expected = Buffer.from(mac(purpose, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return null;
  try {
    const payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as T & { exp: number };
    return typeof payload.exp === "number" && payload.exp > Date.now() ? payload : null;
  } catch {
    return null;
  }
}
