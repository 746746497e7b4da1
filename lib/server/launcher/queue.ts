/**
 * The launch queue, kept in PostgreSQL (Launch rows) so it survives restarts.
 * A launch is queued (not started), active (started, not exited) or done (exited).
 */
import { prisma } from "@/lib/server/db/prisma";
import { Prisma } from "@/generated/prisma/client";
import { conflict } from "@/lib/server/http/errors";
import { launchSlots } from "./slots";
import { readEnv } from "@/lib/config/env";

/** Where a launch may run: this server's own launcher, any worker, or one worker. */
export type LaunchPlace = { target: "server" } | { target: "any_worker" } | { target: "worker"; workerId: string };

/** Before a worker claims it, a worker launch has no device yet. */
const WORKER_SLOT = "worker";

export async function enqueueLaunch(launch: { runId: string; argv: string[]; flags: string[]; cwd: string; place: LaunchPlace }): Promise<{ slot: string }> {
  const { runId, argv, flags, cwd, place } = launch;
  const targetWorkerId = place.target === "worker" ? place.workerId : null;
  if (place.target !== "server") {
    await prisma.launch.create({ data: { runId, argv, flags, cwd, slot: WORKER_SLOT, target: place.target, targetWorkerId } });
    return { slot: WORKER_SLOT };
  }
  const slots = launchSlots();
  // The slot with the fewest waiting or active launches.
  const load = await prisma.launch.groupBy({ by: ["slot"], where: { exitedAt: null, slot: { in: slots } }, _count: { _all: true } });
  const count = (s: string) => load.find((l) => l.slot === s)?._count._all ?? 0;
  const slot = slots.reduce((best, s) => (count(s) < count(best) ? s : best), slots[0]);
  await prisma.launch.create({ data: { runId, argv, flags, cwd, slot } });
  return { slot };
}

/** Queued launches for a device this machine no longer has (e.g. moved to a machine without GPUs) move to the first slot. */
export async function adoptQueuedFromMissingSlots(slots: string[]): Promise<void> {
  await prisma.launch.updateMany({ where: { target: "server", startedAt: null, exitedAt: null, slot: { notIn: slots } }, data: { slot: slots[0] } });
}

/**
 * How long a claim holds without renewal. Launchers renew theirs every poll
 * (a second); a lapsed claim means its server stopped or lost the database.
 */
export const LEASE_MS = readEnv("INKSTONE_LEASE_MS");

/** Who claims: the machine (pids are only meaningful there) and the server process on it. */
export interface Claimer {
  host: string;
  id: string;
}

function leaseEnd(): Date {
  return new Date(Date.now() + LEASE_MS);
}

/** Launches this server claimed and that have not exited. */
export function activeLaunches(claimer: Claimer) {
  return prisma.launch.findMany({ where: { claimedBy: claimer.id, startedAt: { not: null }, exitedAt: null } });
}

/** Slots with a started, unexited launch on this machine, whichever server started it. */
export async function busySlots(host: string): Promise<Set<string>> {
  const rows = await prisma.launch.findMany({
    where: { OR: [{ host }, { host: null }], workerId: null, startedAt: { not: null }, exitedAt: null },
    select: { slot: true },
  });
  return new Set(rows.map((r) => r.slot));
}

export async function renewClaims(claimer: Claimer): Promise<void> {
  await prisma.launch.updateMany({ where: { claimedBy: claimer.id, exitedAt: null }, data: { leaseExpiresAt: leaseEnd() } });
}

/** On a clean shutdown: lets the next server on this machine adopt the running launches at once. */
export async function releaseClaims(claimer: Claimer): Promise<void> {
  await prisma.launch.updateMany({ where: { claimedBy: claimer.id, exitedAt: null }, data: { leaseExpiresAt: new Date() } });
}

/**
 * Takes over this machine's started launches whose claim lapsed (their server
 * was restarted or died): their processes may still run here, and only a
 * server on this machine can watch them by pid. Rows from before claims
 * existed have no host and no lease.
 */
export async function adoptLapsedClaims(claimer: Claimer): Promise<void> {
  await prisma.launch.updateMany({
    where: {
      AND: [{ OR: [{ host: claimer.host }, { host: null }] }, { OR: [{ leaseExpiresAt: { lt: new Date() } }, { leaseExpiresAt: null }] }],
      workerId: null,
      startedAt: { not: null },
      exitedAt: null,
    },
    data: { host: claimer.host, claimedBy: claimer.id, leaseExpiresAt: leaseEnd() },
  });
}

/** Claims the oldest queued launch of a slot for this server's own launcher. */
export function claimNextQueued(slot: string, claimer: Claimer) {
  return claimOldest(claimer, Prisma.sql`"target" = 'server' AND "slot" = ${slot}`, Prisma.sql`"host" = ${claimer.host}`);
}

/**
 * Claims the oldest queued launch that `filter` admits, exactly once across
 * every server and worker sharing the database: SKIP LOCKED lets concurrent
 * claimers pass over a row another one is taking instead of waiting for it
 * or taking it twice. `set` adds the claimer's own columns.
 */
export async function claimOldest(claimer: Claimer, filter: Prisma.Sql, set: Prisma.Sql): Promise<{ runId: string; argv: string[]; flags: string[]; cwd: string } | null> {
  const rows = await prisma.$queryRaw<{ runId: string; argv: string[]; flags: string[]; cwd: string }[]>`
    UPDATE "Launch" SET "startedAt" = now(), "claimedBy" = ${claimer.id}, "leaseExpiresAt" = ${leaseEnd()}, ${set}
    WHERE "runId" = (
      SELECT "runId" FROM "Launch"
      WHERE "startedAt" IS NULL AND "exitedAt" IS NULL AND NOT "cancelRequested" AND ${filter}
      ORDER BY "enqueuedAt" LIMIT 1
      FOR UPDATE SKIP LOCKED
    )
    RETURNING "runId", "argv", "flags", "cwd"`;
  return rows[0] ?? null;
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
  return prisma.launch.findUnique({ where: { runId }, include: { worker: { select: { name: true } }, targetWorker: { select: { name: true } } } });
}

/** Position in its queue (its slot's on this server, the workers' otherwise; 1 = next), or null when not waiting. */
export async function queuePosition(runId: string): Promise<number | null> {
  const launch = await prisma.launch.findUnique({ where: { runId } });
  if (!launch || launch.startedAt || launch.exitedAt) return null;
  const ahead = await prisma.launch.count({
    where: { slot: launch.slot, target: launch.target, startedAt: null, exitedAt: null, enqueuedAt: { lt: launch.enqueuedAt } },
  });
  return ahead + 1;
}
