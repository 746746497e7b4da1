/**
 * Read-only public links to one run. The token is 256 bits from a CSPRNG
 * (base64url), shown once when the link is made and stored only as its
 * sha256; a link works until it is revoked, which also cuts off the live
 * updates of pages open with it. Nothing that changes data accepts a share
 * token: only reads check it.
 */
import { prisma } from "@/lib/server/db/prisma";
import { notFound } from "@/lib/server/http/errors";
import { dropShareSubscribers } from "@/lib/server/live/publish";
import { newToken, sha256 } from "@/lib/server/tokens";

export interface ShareLinkView {
  id: string;
  /** Only in the answer that creates the link: the server keeps just its hash. */
  token?: string;
  path?: string;
  createdAt: string;
  createdBy: string | null;
  revokedAt: string | null;
}

export function sharePath(runId: string, token: string): string {
  return `/runs/${encodeURIComponent(runId)}?share=${token}`;
}

export async function createShareLink(runId: string, userId: string | undefined): Promise<ShareLinkView> {
  const run = await prisma.run.findUnique({ where: { id: runId }, select: { id: true } });
  if (!run) throw notFound(`unknown run ${runId}`);
  const token = newToken(32);
  const link = await prisma.shareLink.create({
    data: { runId, tokenHash: sha256(token), createdById: userId ?? null },
    include: { createdBy: { select: { name: true } } },
  });
  return { ...toView(link), token, path: sharePath(runId, token) };
}

/** Every link of a run, the revoked ones too (so the list says what was shared). */
export async function listShareLinks(runId: string): Promise<ShareLinkView[]> {
  const links = await prisma.shareLink.findMany({
    where: { runId },
    orderBy: { createdAt: "desc" },
    include: { createdBy: { select: { name: true } } },
  });
  return links.map(toView);
}

export async function revokeShareLink(runId: string, linkId: string): Promise<void> {
  const link = await prisma.shareLink.findFirst({ where: { id: linkId, runId, revokedAt: null }, select: { tokenHash: true } });
  const { count } = await prisma.shareLink.updateMany({ where: { id: linkId, runId, revokedAt: null }, data: { revokedAt: new Date() } });
  if (!count || !link) throw notFound("no such active share link");
  dropShareSubscribers(runId, link.tokenHash);
}

/** True when `token` is a live share link for this run. */
export async function shareTokenGrants(runId: string, token: string | undefined | null): Promise<boolean> {
  if (!token || token.length < 22 || token.length > 128) return false;
  const link = await prisma.shareLink.findUnique({ where: { tokenHash: sha256(token) }, select: { runId: true, revokedAt: true } });
  return !!link && link.runId === runId && !link.revokedAt;
}

function toView(l: { id: string; createdAt: Date; revokedAt: Date | null; createdBy: { name: string } | null }): ShareLinkView {
  return {
    id: l.id,
    createdAt: l.createdAt.toISOString(),
    createdBy: l.createdBy?.name ?? null,
    revokedAt: l.revokedAt?.toISOString() ?? null,
  };
}
