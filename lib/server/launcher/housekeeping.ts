/**
 * Queue housekeeping, one of the singleton duties (lib/server/singleton-duties.ts):
 * settles launches whose claim lapsed and that no server on their machine
 * adopted within a further lease. A claim without a process (its server died
 * between claiming and spawning) goes back to the queue; one with a process
 * is closed as lost, and a run that never reported fails. A run that did
 * report is left to crash detection by heartbeat. A worker that stopped
 * heartbeating takes its runs down with it: they crash, and their ingest
 * tokens are replaced so that an orphaned trainer cannot go on writing.
 */
import { prisma } from "@/lib/server/db/prisma";
import { moveRun, NOT_ENDED } from "@/lib/server/runs/status";
import { WORKER_TIMEOUT_MS } from "@/lib/server/workers/registry";
import { LEASE_MS } from "./queue";
import { issueRunToken } from "./run-token";

export async function settleLapsedClaims(now = new Date()): Promise<{ requeued: string[]; lost: string[] }> {
  const cutoff = new Date(now.getTime() - LEASE_MS);
  const lapsed = await prisma.launch.findMany({
    // A worker's launches are settled by its heartbeat instead (settleSilentWorkers).
    where: { workerId: null, startedAt: { not: null }, exitedAt: null, leaseExpiresAt: { lt: cutoff } },
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
    await moveRun(launch.runId, "failed", { from: ["queued"], error: why });
  }
  return { requeued, lost };
}

export async function settleSilentWorkers(now = new Date()): Promise<string[]> {
  const cutoff = new Date(now.getTime() - WORKER_TIMEOUT_MS);
  const orphaned = await prisma.launch.findMany({
    where: { exitedAt: null, worker: { OR: [{ lastSeenAt: { lt: cutoff } }, { revokedAt: { not: null } }] } },
    select: { runId: true, worker: { select: { name: true, revokedAt: true } } },
  });
  const crashed: string[] = [];
  for (const { runId, worker } of orphaned) {
    const why = worker?.revokedAt ? `worker ${worker.name} was revoked` : `worker ${worker?.name} stopped heartbeating for ${Math.round(WORKER_TIMEOUT_MS / 1000)} s`;
    // Re-checked in the update so that an exit report arriving meanwhile wins.
    const { count } = await prisma.launch.updateMany({ where: { runId, exitedAt: null }, data: { exitedAt: now, outputTail: why } });
    if (!count) continue;
    crashed.push(runId);
    await issueRunToken(runId);
    await moveRun(runId, "crashed", { from: NOT_ENDED, error: why });
  }
  return crashed;
}

export function startQueueHousekeeping(log: (line: string) => void, intervalMs = Math.min(10_000, LEASE_MS / 2, WORKER_TIMEOUT_MS / 3)): () => void {
  const timer = setInterval(() => {
    Promise.all([settleLapsedClaims(), settleSilentWorkers()])
      .then(([{ requeued, lost }, crashed]) => {
        if (requeued.length) log(`inkstone: back in the queue (claim lapsed before start): ${requeued.join(", ")}`);
        if (lost.length) log(`inkstone: launches lost with their server: ${lost.join(", ")}`);
        if (crashed.length) log(`inkstone: runs crashed with their worker: ${crashed.join(", ")}`);
      })
      .catch((err: unknown) => log(`inkstone: queue housekeeping failed: ${err instanceof Error ? err.message : String(err)}`));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
