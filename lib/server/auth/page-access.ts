/**
 * Access checks for server-rendered pages (next/headers): the same rules as
 * lib/server/auth/access.ts, but a page that may not be seen redirects to sign-in.
 */
import { cache } from "react";
import { redirect } from "next/navigation";
import { cookies } from "next/headers";
import { hasAnyUser, type SessionUser } from "@/lib/server/auth/accounts";
import { userFromCookieHeader } from "@/lib/server/auth/session";
import { shareTokenGrants } from "@/lib/server/share/links";
import type { Viewer } from "@/lib/server/auth/access";

/** The signed-in user of the page being rendered, or null; looked up once per request (the layout and the page both ask). */
export const pageUser = cache(async (): Promise<SessionUser | null> => {
  const jar = await cookies();
  return userFromCookieHeader(jar.toString());
});

/**
 * Guard for server-rendered pages: returns who is viewing, or redirects to
 * sign-in (then back to `next`). Pass the run and its `share` search param
 * for a run's page; a "share" viewer must get a read-only page.
 */
export async function pageViewer(opts: { runId?: string; share?: string; next?: string } = {}): Promise<Viewer> {
  const user = await pageUser();
  if (user) return { kind: "user", user };
  if (opts.runId && opts.share && (await shareTokenGrants(opts.runId, opts.share))) {
    return { kind: "share", runId: opts.runId, token: opts.share };
  }
  if (!(await hasAnyUser())) return { kind: "open" };
  redirect(`/signin${opts.next ? `?callbackUrl=${encodeURIComponent(opts.next)}` : ""}`);
}

/** Pages that need an account (settings): signs in first. */
export async function pageSessionUser(next: string): Promise<SessionUser> {
  const user = await pageUser();
  if (user) return user;
  redirect((await hasAnyUser()) ? `/signin?callbackUrl=${encodeURIComponent(next)}` : "/signup");
}
