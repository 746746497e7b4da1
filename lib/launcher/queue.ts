/**
 * The launch queue, kept in PostgreSQL (Launch rows) so it survives restarts.
 * A launch is queued (not started), active (started, not exited) or done (exited).
 */
import { prisma } from "@/lib/prisma";
import { conflict } from "@/lib/errors";
import { launchSlots } from "./slots";

export async function enqueueLaunch(runId: string, argv: string[], cwd: string): Promise<{ slot: string }> {
  const slots = launchSlots();
  // The slot with the fewest waiting or active launches.
  const load = await prisma.launch.groupBy({ by: ["slot"], where: { exitedAt: null, slot: { in: slots } }, _count: { _all: true } });
  const count = (s: string) => load.find((l) => l.slot === s)?._count._all ?? 0;
  const slot = slots.reduce((best, s) => (count(s) < count(best) ? s : best), slots[0]);
  await prisma.launch.create({ data: { runId, argv, cwd, slot } });
  return { slot };
}

/** Queued launches for a device this machine no longer has (e.g. moved to a machine without GPUs) move to the first slot. */
export async function adoptQueuedFromMissingSlots(slots: string[]): Promise<void> {
  await prisma.launch.updateMany({ where: { startedAt: null, exitedAt: null, slot: { notIn: slots } }, data: { slot: slots[0] } });
}

export function activeLaunches() {
  return prisma.launch.findMany({ where: { startedAt: { not: null }, exitedAt: null } });
}

export function nextQueued(slot: string) {
  return prisma.launch.findFirst({
    where: { slot, startedAt: null, exitedAt: null, cancelRequested: false },
    orderBy: { enqueuedAt: "asc" },
  });
}

/** Claims a queued launch; false when another launcher got it first. */
export async function claimLaunch(runId: string): Promise<boolean> {
  const { count } = await prisma.launch.updateMany({ where: { runId, startedAt: null, exitedAt: null }, data: { startedAt: new Date() } });
  return count === 1;
}

export async function recordPid(runId: string, pid: number): Promise<void> {
  await prisma.launch.update({ where: { runId }, data: { pid } });
}

export async function recordExit(runId: string, exitCode: number | null, outputTail: string): Promise<void> {
  await prisma.launch.update({ where: { runId }, data: { exitedAt: new Date(), exitCode, outputTail } });
}

/**
 * Asks for a launch to stop. A queued one is withdrawn at once ("withdrawn");
 * an active one is marked for SIGTERM ("signalled").
 */
export async function requestCancel(runId: string): Promise<"withdrawn" | "signalled"> {
  const withdrawn = await prisma.launch.updateMany({
    where: { runId, startedAt: null, exitedAt: null },
    data: { cancelRequested: true, exitedAt: new Date() },
  });
  if (withdrawn.count) return "withdrawn";
  const signalled = await prisma.launch.updateMany({ where: { runId, exitedAt: null }, data: { cancelRequested: true } });
  if (signalled.count) return "signalled";
  const launch = await prisma.launch.findUnique({ where: { runId }, select: { runId: true } });
  throw conflict(launch ? "this run's process has already ended" : "this run was not started from this server's form; stop it where it runs");
}

export function getLaunch(runId: string) {
  return prisma.launch.findUnique({ where: { runId } });
}

/** Position in its slot's queue (1 = next), or null when not waiting. */
export async function queuePosition(runId: string): Promise<number | null> {
  const launch = await prisma.launch.findUnique({ where: { runId } });
  if (!launch || launch.startedAt || launch.exitedAt) return null;
  const ahead = await prisma.launch.count({
    where: { slot: launch.slot, startedAt: null, exitedAt: null, enqueuedAt: { lt: launch.enqueuedAt } },
  });
  return ahead + 1;
}
