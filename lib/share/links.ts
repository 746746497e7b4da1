/**
 * Read-only public links to one run. The token is 256 bits from a CSPRNG
 * (base64url); a link works until it is revoked. Nothing that changes data
 * accepts a share token: only reads check it.
 */
import { prisma } from "@/lib/prisma";
import { notFound } from "@/lib/errors";
import { newToken } from "@/lib/tokens";

export interface ShareLinkView {
  id: string;
  token: string;
  path: string;
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
  const link = await prisma.shareLink.create({
    data: { runId, token: newToken(32), createdById: userId ?? null },
    include: { createdBy: { select: { name: true } } },
  });
  return toView(link);
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
  const { count } = await prisma.shareLink.updateMany({ where: { id: linkId, runId, revokedAt: null }, data: { revokedAt: new Date() } });
  if (!count) throw notFound("no such active share link");
}

/** True when `token` is a live share link for this run. */
export async function shareTokenGrants(runId: string, token: string | undefined | null): Promise<boolean> {
  if (!token || token.length < 22 || token.length > 128) return false;
  const link = await prisma.shareLink.findUnique({ where: { token }, select: { runId: true, revokedAt: true } });
  return !!link && link.runId === runId && !link.revokedAt;
}

function toView(l: { id: string; runId: string; token: string; createdAt: Date; revokedAt: Date | null; createdBy: { name: string } | null }): ShareLinkView {
  return {
    id: l.id,
    token: l.token,
    path: sharePath(l.runId, l.token),
    createdAt: l.createdAt.toISOString(),
    createdBy: l.createdBy?.name ?? null,
    revokedAt: l.revokedAt?.toISOString() ?? null,
  };
}
