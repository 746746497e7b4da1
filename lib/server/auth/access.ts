/**
 * Who may read and write what.
 * - Signed-in teammates (next-auth session cookie) and API keys (Bearer) see every run.
 * - A share link (`?share=<token>` on the URL, or the `x-inkstone-share` header)
 *   lets anyone read its one run, and nothing else: writes never accept it.
 * - Fresh install: until the first account exists the server is open (anyone
 *   may read and create runs), so the README's quick start works before
 *   anyone signs up. The first sign-up closes it.
 * Route handlers throw 401/403 (ClientError); pages use lib/server/auth/page-access.ts,
 * which redirects to sign-in.
 */
import { forbidden, unauthorized } from "@/lib/server/http/errors";
import { bearerToken } from "@/lib/server/http/responses";
import { hasAnyUser, type SessionUser } from "@/lib/server/auth/accounts";
import { userForApiKey } from "@/lib/server/auth/api-keys";
import { userFromCookieHeader } from "@/lib/server/auth/session";
import { shareTokenGrants } from "@/lib/server/share/links";

export const SHARE_HEADER = "x-inkstone-share";

/** Who is asking: an account, a share link for one run, or anyone on a server without accounts. */
export type Viewer = { kind: "user"; user: SessionUser } | { kind: "share"; runId: string; token: string } | { kind: "open" };

export function shareTokenOf(req: Request): string | undefined {
  return new URL(req.url).searchParams.get("share") ?? req.headers.get(SHARE_HEADER) ?? undefined;
}

/** The account behind a request: its session cookie, or an API key as Bearer token. */
export async function requestUser(req: Request): Promise<{ userId: string; user?: SessionUser } | null> {
  const user = await userFromCookieHeader(req.headers.get("cookie"));
  if (user) return { userId: user.id, user };
  const key = bearerToken(req);
  return key ? userForApiKey(key) : null;
}

export async function canViewRun(runId: string, who: { cookie?: string; shareToken?: string }): Promise<boolean> {
  if (!(await hasAnyUser())) return true;
  if (await userFromCookieHeader(who.cookie)) return true;
  return shareTokenGrants(runId, who.shareToken);
}

/** The /live "runs" room (every run's status changes): accounts only, like the runs list. */
export async function canViewRunList(cookie: string | undefined): Promise<boolean> {
  return !(await hasAnyUser()) || !!(await userFromCookieHeader(cookie));
}

/** Reads that are not about one run (the runs list): accounts only. */
export async function requireViewer(req: Request): Promise<void> {
  if (!(await hasAnyUser())) return;
  if (!(await requestUser(req))) throw unauthorized("sign in or send an API key");
}

/** Reads of one run: accounts, or a share link for this run. Returns how: "share" views see no server details (lib/server/share/public-view.ts). */
export async function requireRunViewer(req: Request, runId: string): Promise<"account" | "share"> {
  if (!(await hasAnyUser())) return "account";
  if (await requestUser(req)) return "account";
  if (await shareTokenGrants(runId, shareTokenOf(req))) return "share";
  throw unauthorized("sign in, or open a valid share link for this run");
}

/** Changes to a run (notes, tags, share links, cancel): accounts only, never a share link. */
export async function requireRunEditor(req: Request, _runId: string): Promise<{ userId: string } | undefined> {
  if (!(await hasAnyUser())) return undefined;
  const who = await requestUser(req);
  if (!who) throw shareTokenOf(req) ? forbidden("a share link is read-only") : unauthorized("sign in to change this run");
  return { userId: who.userId };
}

/** Account pages and APIs (settings, API keys, invites): a signed-in session only. */
export async function requireSessionUser(req: Request): Promise<SessionUser> {
  const user = await userFromCookieHeader(req.headers.get("cookie"));
  if (!user) throw unauthorized("sign in first");
  return user;
}

/** The account a new run belongs to, from an API key or a session; undefined when anonymous creation is allowed. */
export async function authorizeRunCreation(req: Request, apiKey: string | undefined): Promise<{ userId: string } | undefined> {
  if (apiKey) {
    const owner = await userForApiKey(apiKey);
    if (owner) return owner;
  }
  const user = await userFromCookieHeader(req.headers.get("cookie"));
  if (user) return { userId: user.id };
  if (!(await hasAnyUser())) return undefined;
  throw unauthorized(apiKey ? "invalid or revoked API key" : "creating runs needs an API key (Settings -> API keys) or a signed-in session");
}
