/**
 * A fresh ingest token for a launched process, issued when it starts: only
 * its hash is stored, so a queued launch cannot keep the first one, and a
 * new one shuts out a process that was given up on.
 */
import { prisma } from "@/lib/server/db/prisma";
import { newToken, sha256 } from "@/lib/server/tokens";

export async function issueRunToken(runId: string): Promise<string> {
  const token = newToken();
  await prisma.run.update({ where: { id: runId }, data: { ingestTokenHash: sha256(token) } });
  return token;
}
