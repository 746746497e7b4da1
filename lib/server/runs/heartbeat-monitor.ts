/**
 * Marks a running run `crashed` when its trainer has sent no heartbeat for
 * HEARTBEAT_TIMEOUT_MS. A later heartbeat brings it back (lib/server/ingest/store.ts).
 */
import { prisma } from "../db/prisma";
import { moveRun } from "./status";
import { readEnv } from "@/lib/config/env";

export const HEARTBEAT_TIMEOUT_MS = readEnv("INKSTONE_HEARTBEAT_TIMEOUT_MS");

export async function markSilentRunsCrashed(now = new Date()): Promise<string[]> {
  const cutoff = new Date(now.getTime() - HEARTBEAT_TIMEOUT_MS);
  const silent = await prisma.run.findMany({
    where: { status: "running", OR: [{ lastHeartbeatAt: { lt: cutoff } }, { lastHeartbeatAt: null, startedAt: { lt: cutoff } }] },
    select: { id: true },
  });
  const error = `no heartbeat for ${Math.round(HEARTBEAT_TIMEOUT_MS / 1000)} s`;
  for (const { id } of silent) {
    // Re-checked in the update so that a heartbeat arriving meanwhile wins.
    await moveRun(id, "crashed", { from: ["running"], where: { OR: [{ lastHeartbeatAt: { lt: cutoff } }, { lastHeartbeatAt: null }] }, error, at: now });
  }
  return silent.map((r) => r.id);
}

export function startHeartbeatMonitor(intervalMs = Math.min(10_000, HEARTBEAT_TIMEOUT_MS / 4)): () => void {
  const timer = setInterval(() => {
    markSilentRunsCrashed().catch((err) => console.error("inkstone: heartbeat check failed:", err));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
