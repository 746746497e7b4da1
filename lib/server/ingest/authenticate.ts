import crypto from "node:crypto";
import { prisma } from "@/lib/server/db/prisma";
import { notFound, unauthorized } from "@/lib/server/http/errors";
import { isStorableText } from "@/lib/protocol/text";
import { sha256 } from "@/lib/server/tokens";

/** Checks a run's ingest token; unknown runs are 404 and wrong tokens 401. */
export async function authenticateRun(runId: unknown, token: unknown): Promise<{ id: string }> {
  if (typeof runId !== "string" || !runId || runId.length > 64 || !isStorableText(runId)) throw notFound("unknown run");
  if (typeof token !== "string" || !token) throw unauthorized("missing ingest token");
  const run = await prisma.run.findUnique({ where: { id: runId }, select: { id: true, ingestTokenHash: true } });
  if (!run) throw notFound(`unknown run ${runId}`);
  const given = Buffer.from(sha256(token));
  const stored = Buffer.from(run.ingestTokenHash);
  if (given.length !== stored.length || !crypto.timingSafeEqual(given, stored)) throw unauthorized("wrong ingest token for this run");
  return { id: run.id };
}
