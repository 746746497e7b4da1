/**
 * Queue housekeeping, one of the singleton duties (lib/server/singleton-duties.ts):
 * settles launches whose claim lapsed and that no server on their machine
 * adopted within a further lease. A claim without a process (its server died
 * between claiming and spawning) goes back to the queue; one with a process
 * is closed as lost, and a run that never reported fails. A run that did
 * report is left to crash detection by heartbeat.
 */
import { prisma } from "@/lib/prisma";
import { setFinalStatus } from "@/lib/ingest/store";
import { LEASE_MS } from "./queue";

export async function settleLapsedClaims(now = new Date()): Promise<{ requeued: string[]; lost: string[] }> {
  const cutoff = new Date(now.getTime() - LEASE_MS);
  const lapsed = await prisma.launch.findMany({
    where: { startedAt: { not: null }, exitedAt: null, leaseExpiresAt: { lt: cutoff } },
    select: { runId: true, pid: true, host: true },
  });
  const requeued: string[] = [];
  const lost: string[] = [];
  for (const launch of lapsed) {
    // Re-checked in the update so that a renewal or an adoption meanwhile wins.
    const still = { runId: launch.runId, exitedAt: null, leaseExpiresAt: { lt: cutoff } };
    if (launch.pid === null) {
      const { count } = await prisma.launch.updateMany({ where: still, data: { startedAt: null, host: null, claimedBy: null, leaseExpiresAt: null } });
      if (count) requeued.push(launch.runId);
      continue;
    }
    const why = `the server on ${launch.host ?? "its machine"} that started it stopped renewing its claim`;
    const { count } = await prisma.launch.updateMany({ where: still, data: { exitedAt: now, outputTail: why } });
    if (!count) continue;
    lost.push(launch.runId);
    const run = await prisma.run.findUnique({ where: { id: launch.runId }, select: { status: true } });
    if (run?.status === "queued") await setFinalStatus(launch.runId, "failed", why);
  }
  return { requeued, lost };
}

export function startQueueHousekeeping(log: (line: string) => void, intervalMs = Math.min(10_000, LEASE_MS / 2)): () => void {
  const timer = setInterval(() => {
    settleLapsedClaims()
      .then(({ requeued, lost }) => {
        if (requeued.length) log(`inkstone: back in the queue (claim lapsed before start): ${requeued.join(", ")}`);
        if (lost.length) log(`inkstone: launches lost with their server: ${lost.join(", ")}`);
      })
      .catch((err: unknown) => log(`inkstone: queue housekeeping failed: ${err instanceof Error ? err.message : String(err)}`));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
