/**
 * The server's side of the worker protocol (lib/server/workers/protocol.ts): a
 * worker registers, heartbeats (renewing its claims and learning of cancels),
 * claims queued launches meant for workers, and reports how their processes ended.
 */
import { prisma } from "@/lib/server/db/prisma";
import { ClientError, notFound } from "@/lib/server/http/errors";
import { parseInput } from "@/lib/server/http/validate";
import { claimOldest, renewClaims } from "@/lib/server/launcher/queue";
import { issueRunToken } from "@/lib/server/launcher/run-token";
import { settleExit } from "@/lib/server/launcher/settle-exit";
import { Prisma, type Worker } from "@/generated/prisma/client";
import { claimSchema, exitSchema, heartbeatSchema, registerSchema, WORKER_POLL_MS, type ClaimedLaunch, type HeartbeatResponse } from "./protocol";

/** The claimer id under which a worker's launches are held. */
export function workerClaimer(worker: Pick<Worker, "id" | "hostname">) {
  return { host: worker.hostname ?? "unknown", id: `worker:${worker.id}` };
}

export async function registerWorker(worker: Worker, payload: unknown) {
  const { name, ...info } = parseInput(registerSchema, payload);
  if (name && name !== worker.name && (await prisma.worker.findUnique({ where: { name }, select: { id: true } }))) {
    throw new ClientError(409, `name: another worker is called ${name}`);
  }
  const row = await prisma.worker.update({ where: { id: worker.id }, data: { ...info, name: name ?? worker.name, lastSeenAt: new Date() } });
  return { id: row.id, name: row.name, pollMs: WORKER_POLL_MS };
}

export async function workerHeartbeat(worker: Worker, payload: unknown): Promise<HeartbeatResponse> {
  const { gpus } = parseInput(heartbeatSchema, payload);
  await prisma.worker.update({ where: { id: worker.id }, data: { gpus, lastSeenAt: new Date() } });
  await renewClaims(workerClaimer(worker));
  const cancelled = await prisma.launch.findMany({ where: { workerId: worker.id, exitedAt: null, cancelRequested: true }, select: { runId: true } });
  return { cancel: cancelled.map((l) => l.runId) };
}

/** The oldest launch for any worker or for this one, exactly once (SKIP LOCKED), with a fresh ingest token. */
export async function claimForWorker(worker: Worker, payload: unknown): Promise<{ launch: ClaimedLaunch | null }> {
  const { slot } = parseInput(claimSchema, payload);
  await prisma.worker.update({ where: { id: worker.id }, data: { lastSeenAt: new Date() } });
  const claimed = await claimOldest(
    workerClaimer(worker),
    Prisma.sql`("target" = 'any_worker' OR ("target" = 'worker' AND "targetWorkerId" = ${worker.id}))`,
    Prisma.sql`"slot" = ${slot}, "workerId" = ${worker.id}, "host" = ${worker.hostname}, "cwd" = ${worker.workDir ?? ""}`,
  );
  if (!claimed) return { launch: null };
  return { launch: { runId: claimed.runId, flags: claimed.flags, token: await issueRunToken(claimed.runId) } };
}

export async function reportWorkerExit(worker: Worker, runId: string, payload: unknown): Promise<{ settled: boolean }> {
  const report = parseInput(exitSchema, payload);
  const launch = await prisma.launch.findUnique({ where: { runId }, select: { workerId: true } });
  if (launch?.workerId !== worker.id) throw notFound("this worker runs no such launch");
  const settled = await settleExit(runId, { exitCode: report.exitCode, signal: report.signal, spawnError: report.spawnError }, report.outputTail);
  return { settled };
}
