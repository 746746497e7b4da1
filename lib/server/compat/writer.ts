/**
 * Who a Python client (SwanLab's or MLflow's) writes as, and which runs it may
 * write to. An API key names an account; a server without accounts is open,
 * as for Inkstone's own API (lib/server/auth/access.ts).
 */
import { hasAnyUser } from "@/lib/server/auth/accounts";
import { userForApiKey } from "@/lib/server/auth/api-keys";
import { notFound, unauthorized } from "@/lib/server/http/errors";
import { prisma } from "@/lib/server/db/prisma";

/** The account behind the key (and the key), or nulls on an open server. */
export type Writer = { userId: string | null; keyId: string | null };

export async function writerForApiKey(key: string | undefined): Promise<Writer> {
  if (key) {
    const owner = await userForApiKey(key);
    if (owner) return owner;
  }
  if (!(await hasAnyUser())) return { userId: null, keyId: null };
  throw unauthorized(key ? "invalid or revoked API key" : "an API key is required (Settings -> API keys)");
}

/** A run this writer may log to: one it created, or one nobody owns. Unknown runs are 404. */
export async function requireWritableRun(writer: Writer, runId: string): Promise<{ id: string; projectId: string; name: string; createdAt: Date }> {
  const run = runId.length <= 64 ? await prisma.run.findUnique({ where: { id: runId }, select: { id: true, projectId: true, name: true, createdAt: true, createdById: true } }) : null;
  if (!run) throw notFound(`unknown run ${runId}`);
  if (run.createdById && writer.userId !== run.createdById && (await hasAnyUser())) {
    throw notFound(`unknown run ${runId}`);
  }
  return run;
}
