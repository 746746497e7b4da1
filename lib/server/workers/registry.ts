/**
 * Remote GPU workers as the admin sees them: created in Settings with a token
 * shown once (only its sha256 and a prefix are stored), listed on the Workers
 * page, revoked in Settings. A worker's token only claims and reports launches.
 */
import { z } from "zod";
import { prisma } from "@/lib/server/db/prisma";
import { ClientError, forbidden, notFound, unauthorized } from "@/lib/server/http/errors";
import { bearerToken } from "@/lib/server/http/responses";
import { newToken, sha256 } from "@/lib/server/tokens";
import { parseInput } from "@/lib/server/http/validate";
import type { SessionUser } from "@/lib/server/auth/accounts";
import type { Worker } from "@/generated/prisma/client";
import { WORKER_NAME } from "./protocol";
import { readEnv } from "@/lib/config/env";

export const WORKER_TOKEN_PREFIX = "inkw_";
/** A worker not heard from for this long is offline; its launches crash (lib/server/launcher/housekeeping.ts). */
export const WORKER_TIMEOUT_MS = readEnv("INKSTONE_WORKER_TIMEOUT_MS");

export interface WorkerGpu {
  index: number;
  name: string;
  memoryMiB: number;
  /** Percent, at the last heartbeat. */
  utilization: number | null;
}

const createWorkerSchema = z.object({
  name: z.string().trim().regex(WORKER_NAME, "give the worker a name: letters, digits, '.', '_' and '-' only, at most 100"),
});

function requireAdmin(user: SessionUser): void {
  if (user.role !== "admin") throw forbidden("only the admin manages workers");
}

export async function createWorker(user: SessionUser, payload: unknown) {
  requireAdmin(user);
  const { name } = parseInput(createWorkerSchema, payload);
  const token = WORKER_TOKEN_PREFIX + newToken();
  const existing = await prisma.worker.findUnique({ where: { name }, select: { id: true } });
  if (existing) throw new ClientError(409, `a worker named ${name} exists; revoke it or pick another name`);
  const row = await prisma.worker.create({ data: { name, tokenHash: sha256(token), prefix: token.slice(0, WORKER_TOKEN_PREFIX.length + 6) } });
  return { ...publicWorker(row), token };
}

export async function revokeWorker(user: SessionUser, id: string): Promise<void> {
  requireAdmin(user);
  const { count } = await prisma.worker.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
  if (!count) throw notFound("no such active worker");
}

/** Every worker with its current run, for the Workers page, Settings and the run form. */
export async function listWorkers() {
  const rows = await prisma.worker.findMany({
    orderBy: { name: "asc" },
    include: { launches: { where: { exitedAt: null }, select: { runId: true, slot: true, run: { select: { name: true } } } } },
  });
  return rows.map((w) => ({ ...publicWorker(w), current: w.launches.map((l) => ({ runId: l.runId, runName: l.run.name, slot: l.slot })) }));
}
export type WorkerSummary = Awaited<ReturnType<typeof listWorkers>>[number];

/** The worker a request's `Authorization: Bearer inkw_…` proves, or 401. */
export async function authenticateWorker(req: Request): Promise<Worker> {
  const token = bearerToken(req);
  if (!token?.startsWith(WORKER_TOKEN_PREFIX)) throw unauthorized("send a worker token (Settings -> Workers) as Authorization: Bearer");
  const worker = await prisma.worker.findUnique({ where: { tokenHash: sha256(token) } });
  if (!worker || worker.revokedAt) throw unauthorized("invalid or revoked worker token");
  return worker;
}

export function workerState(w: { revokedAt: Date | null; lastSeenAt: Date | null }, now = Date.now()): "revoked" | "online" | "offline" | "never connected" {
  if (w.revokedAt) return "revoked";
  if (!w.lastSeenAt) return "never connected";
  return now - w.lastSeenAt.getTime() < WORKER_TIMEOUT_MS ? "online" : "offline";
}

function publicWorker(w: Worker) {
  return {
    id: w.id,
    name: w.name,
    prefix: w.prefix,
    state: workerState(w),
    hostname: w.hostname,
    gpus: w.gpus as unknown as WorkerGpu[],
    backend: w.backend,
    version: w.version,
    workDir: w.workDir,
    createdAt: w.createdAt.toISOString(),
    lastSeenAt: w.lastSeenAt?.toISOString() ?? null,
    revokedAt: w.revokedAt?.toISOString() ?? null,
  };
}
