/**
 * Reads the next-auth session from a Cookie header: the same check serves
 * route handlers (Request), pages (next/headers) and the socket.io handshake.
 */
import { decode } from "next-auth/jwt";
import { findUser, type SessionUser } from "./accounts";
import { isSessionRevoked } from "./revoked-sessions";
import { authSecret } from "./secret";

export const SESSION_COOKIES = ["__Secure-next-auth.session-token", "next-auth.session-token"] as const;

export function parseCookies(header: string | undefined | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    try {
      out.set(name, decodeURIComponent(raw));
    } catch {
      out.set(name, raw);
    }
  }
  return out;
}

/** The signed-in user a Cookie header proves, or null. The account must still exist. */
export async function userFromCookieHeader(header: string | undefined | null): Promise<SessionUser | null> {
  const cookies = parseCookies(header);
  for (const name of SESSION_COOKIES) {
    const token = cookies.get(name) ?? joinChunks(cookies, name);
    if (!token) continue;
    try {
      const payload = await decode({ token, secret: authSecret() });
      const id = typeof payload?.sub === "string" ? payload.sub : undefined;
      // Cookies of a signed-out session, and ones from before session ids, no longer count.
      const sid = typeof payload?.sid === "string" ? payload.sid : undefined;
      if (id && sid && !(await isSessionRevoked(sid))) return await findUser(id);
    } catch {
      // A cookie signed with another secret, or tampered with: not signed in.
    }
  }
  return null;
}

/** next-auth splits cookies over 4 kB into name.0, name.1, ... */
function joinChunks(cookies: Map<string, string>, name: string): string | undefined {
  const parts: string[] = [];
  for (let i = 0; cookies.has(`${name}.${i}`); i++) parts.push(cookies.get(`${name}.${i}`)!);
  return parts.length ? parts.join("") : undefined;
}
