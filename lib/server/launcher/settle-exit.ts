/**
 * Closes a launch whose process ended, wherever it ran (this server's
 * launcher or a worker): records the exit and, unless the trainer reported
 * its own final status, derives one from how the process ended. `beforeStatus`
 * runs in between: this server's launcher uploads what the run left in its
 * spools there, its final status included (a worker's spools stay on its disk).
 */
import { prisma } from "@/lib/server/db/prisma";
import { moveRun, NOT_ENDED } from "@/lib/server/runs/status";
import type { ProcessOutcome } from "./launcher";
import { recordExit } from "./queue";

/** False when the launch was already closed (e.g. settled as lost meanwhile). */
export async function settleExit(
  runId: string,
  outcome: ProcessOutcome,
  tail: string,
  beforeStatus?: (launch: { argv: string[]; cwd: string }) => Promise<void>,
): Promise<boolean> {
  const launch = await prisma.launch.findUnique({ where: { runId }, select: { exitedAt: true, cancelRequested: true, argv: true, cwd: true } });
  if (!launch || launch.exitedAt) return false;
  await recordExit(runId, outcome.exitCode, tail);
  await beforeStatus?.(launch);
  // Only a run whose trainer did not report its own end.
  const [status, error] = finalStatus(outcome, launch.cancelRequested, tail);
  await moveRun(runId, status, { from: NOT_ENDED, error });
  return true;
}

/** What a run becomes when its process ends without having reported a final status itself. */
export function finalStatus(o: ProcessOutcome, cancelRequested: boolean, tail: string): ["finished" | "failed" | "cancelled", string | null] {
  const withTail = (why: string) => (tail ? `${why}; last output:\n${tail}` : why);
  if (cancelRequested) return ["cancelled", null];
  if (o.spawnError) return ["failed", `could not start the training command: ${o.spawnError}`];
  if (o.lost) return ["failed", withTail("the training process ended without reporting (started before a server restart, so its exit code is unknown)")];
  if (o.exitCode === 0) return ["finished", null];
  return ["failed", withTail(o.signal ? `the training process was killed by ${o.signal}` : `the training process exited with code ${o.exitCode}`)];
}
