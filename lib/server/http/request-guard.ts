/**
 * Checks every request gets before Next.js or socket.io sees it.
 * - Cross-origin requests that change state are refused: a page on another
 *   origin (another port of the same host included) must not act with the
 *   signed-in user's cookie. Browsers name the requesting page in `Origin`
 *   (and `Sec-Fetch-Site`); scripts and the SDK send neither and authenticate
 *   with bearer tokens, which a foreign page cannot read, so they pass.
 * - A URL holding a NUL byte (`%00`) can name nothing stored: refused at once.
 */
import type { IncomingMessage } from "node:http";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The client's address as the server's socket saw it, for per-address limits; a client cannot set it. */
export const CLIENT_ADDRESS_HEADER = "x-inkstone-client-address";

/** Records the peer address in CLIENT_ADDRESS_HEADER, replacing whatever the client sent under that name. */
export function stampClientAddress(req: IncomingMessage): void {
  req.headers[CLIENT_ADDRESS_HEADER] = req.socket.remoteAddress ?? "unknown";
}

/** Why the request is refused, or undefined when it may go on. */
export function refusal(req: IncomingMessage): { status: number; error: string } | undefined {
  if (/%00/.test(req.url ?? "")) return { status: 400, error: "url: must not contain a NUL byte (%00)" };
  if (!SAFE_METHODS.has(req.method ?? "GET") && isCrossOrigin(req)) {
    return { status: 403, error: "cross-origin request refused: changes are accepted from this server's own pages, or with a bearer token and no Origin header" };
  }
  return undefined;
}

/** The browser says the request comes from a page of another origin. */
export function isCrossOrigin(req: IncomingMessage): boolean {
  const site = req.headers["sec-fetch-site"];
  if (site && site !== "same-origin" && site !== "none") return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return true; // "null" (sandboxed frames, some redirects) or garbage
  }
  const hosts = [req.headers.host, ...String(req.headers["x-forwarded-host"] ?? "").split(",")].map((h) => h?.trim().toLowerCase());
  return !hosts.includes(originHost.toLowerCase());
}
