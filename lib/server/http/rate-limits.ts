/**
 * Requests that no account stands behind are rate-limited per client
 * address, so that a share link or an anonymous reader cannot crowd out the
 * team: share-link requests (`?share=` or the x-inkstone-share header) and API
 * reads with no credentials at all (no session cookie, SwanLab `sid` cookie or
 * bearer token). Anonymous writes are not counted: a server with accounts
 * refuses them at once, and on an open server they are the scripts logging.
 * Pages' static files are not counted either. Limits in requests per minute,
 * documented in the README.
 */
import type { IncomingMessage } from "node:http";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { CLIENT_ADDRESS_HEADER } from "./request-guard";
import { readEnv } from "@/lib/config/env";

export const RATE_LIMITS = {
  shareRequestsPerMinute: readEnv("INKSTONE_SHARE_RATE"),
  anonymousRequestsPerMinute: readEnv("INKSTONE_ANONYMOUS_RATE"),
} as const;

const share = new RateLimiterMemory({ keyPrefix: "share", points: RATE_LIMITS.shareRequestsPerMinute, duration: 60 });
const anonymous = new RateLimiterMemory({ keyPrefix: "anonymous", points: RATE_LIMITS.anonymousRequestsPerMinute, duration: 60 });

/** Which limit a request counts against, if any. */
function limiterFor(req: IncomingMessage): RateLimiterMemory | undefined {
  const url = req.url ?? "/";
  if (url.startsWith("/_next/")) return undefined;
  if (/[?&]share=/.test(url) || req.headers["x-inkstone-share"]) return share;
  const credentials = req.headers.authorization || /(^|;\s*)((__Secure-)?next-auth\.session-token|sid)=/.test(req.headers.cookie ?? "");
  const read = req.method === "GET" || req.method === "HEAD";
  return read && !credentials && url.startsWith("/api/") ? anonymous : undefined;
}

/** Counts the request; a refusal (429) with the seconds to wait when over the limit. */
export async function rateLimit(req: IncomingMessage): Promise<{ status: 429; error: string; retryAfterSeconds: number } | undefined> {
  const limiter = limiterFor(req);
  if (!limiter) return undefined;
  try {
    await limiter.consume(String(req.headers[CLIENT_ADDRESS_HEADER] ?? "unknown"));
    return undefined;
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    const retryAfterSeconds = Math.ceil(err.msBeforeNext / 1000);
    const what = limiter === share ? `${RATE_LIMITS.shareRequestsPerMinute} share-link` : `${RATE_LIMITS.anonymousRequestsPerMinute} anonymous`;
    return { status: 429, error: `over ${what} requests per minute from this address; retry in ${retryAfterSeconds} s`, retryAfterSeconds };
  }
}
