/**
 * A run's status, owned here: which transitions are allowed, and the one
 * function that writes a new status (and tells the browsers). Every writer
 * (the ingest API and the SDKs' finish, the heartbeat monitor, the launcher)
 * goes through `moveRun`, so a late or repeated report cannot undo an ended run.
 */
import type { Prisma } from "@/generated/prisma/client";
import { publish } from "@/lib/server/live/publish";
import { prisma } from "@/lib/server/db/prisma";
import { FINISH_STATUSES, RUN_STATUSES, type RunStatus } from "@/lib/protocol/wire";

/**
 * Where each status may go. Any run may (re)start: a resumed run reports
 * start again after it ended. A crashed run (no heartbeat for a while) comes
 * back on a late heartbeat and may still end as its trainer says. An ended run
 * keeps the end it first reported: a retried or late finish changes nothing.
 */
export const TRANSITIONS: Record<RunStatus, readonly RunStatus[]> = {
  queued: ["running", "finished", "failed", "crashed", "cancelled"],
  running: ["running", "finished", "failed", "crashed", "cancelled"],
  crashed: ["running", "finished", "failed", "cancelled"],
  finished: ["running"],
  failed: ["running"],
  cancelled: ["running"],
};

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The statuses a run may move to `to` from. */
export function statusesLeadingTo(to: RunStatus): RunStatus[] {
  return RUN_STATUSES.filter((from) => canTransition(from, to));
}

/** Ended statuses: the run has an end time. */
export function isEnded(status: RunStatus): boolean {
  return (FINISH_STATUSES as readonly RunStatus[]).includes(status);
}

export interface MoveOptions {
  /** Why the run ended (failed, crashed); cleared otherwise. */
  error?: string | null;
  /** Only from these statuses (narrower than TRANSITIONS), e.g. the launcher settles only runs not ended yet. */
  from?: readonly RunStatus[];
  /** Further conditions on the run, checked in the same write (e.g. "no heartbeat since"). */
  where?: Prisma.RunWhereInput;
  /** Other columns written with the status. */
  data?: Prisma.RunUpdateManyMutationInput;
  at?: Date;
}

/**
 * Moves a run to `to` if TRANSITIONS (and `from`) allow it from its current
 * status, in one conditional write, and publishes the change. Returns whether it moved.
 */
export async function moveRun(runId: string, to: RunStatus, opts: MoveOptions = {}): Promise<boolean> {
  const at = opts.at ?? new Date();
  const from = statusesLeadingTo(to).filter((s) => !opts.from || opts.from.includes(s));
  const endedAt = isEnded(to) ? at : null;
  const error = opts.error ?? null;
  const { count } = await prisma.run.updateMany({
    where: { ...opts.where, id: runId, status: { in: from } },
    data: { ...opts.data, status: to, endedAt, error },
  });
  if (count) publish("status", { runId, status: to, endedAt: endedAt?.toISOString() ?? null, error });
  return count > 0;
}

/** Statuses of a run that has not ended: the launcher settles only these when a process exits. */
export const NOT_ENDED: readonly RunStatus[] = RUN_STATUSES.filter((s) => !isEnded(s));
