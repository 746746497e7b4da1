/**
 * Requests that no account stands behind are rate-limited per client
 * address, so that a share link or an anonymous script cannot crowd out the
 * team: share-link requests (`?share=` or the x-inkstone-share header) and API
 * requests with neither a session cookie nor a bearer token. Pages' static
 * files are not counted. Limits in requests per minute, documented in the README.
 */
import type { IncomingMessage } from "node:http";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { CLIENT_ADDRESS_HEADER } from "./request-guard";

export const RATE_LIMITS = {
  shareRequestsPerMinute: Number(process.env.INKSTONE_SHARE_RATE ?? 120),
  anonymousRequestsPerMinute: Number(process.env.INKSTONE_ANONYMOUS_RATE ?? 600),
} as const;

const share = new RateLimiterMemory({ keyPrefix: "share", points: RATE_LIMITS.shareRequestsPerMinute, duration: 60 });
const anonymous = new RateLimiterMemory({ keyPrefix: "anonymous", points: RATE_LIMITS.anonymousRequestsPerMinute, duration: 60 });

/** Which limit a request counts against, if any. */
function limiterFor(req: IncomingMessage): RateLimiterMemory | undefined {
  const url = req.url ?? "/";
  if (url.startsWith("/_next/")) return undefined;
  if (/[?&]share=/.test(url) || req.headers["x-inkstone-share"]) return share;
  const credentials = req.headers.authorization || /(^|;\s*)(__Secure-)?next-auth\.session-token/.test(req.headers.cookie ?? "");
  return !credentials && url.startsWith("/api/") ? anonymous : undefined;
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
