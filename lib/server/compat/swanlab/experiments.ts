/**
 * SwanLab experiments are Inkstone runs, and an experiment's `cuid` is the
 * run's id: the SDK uses the cuid the server answers in every later path.
 * Creating answers 201; naming an existing run's id (`swanlab.init(id=...,
 * resume=...)`) answers 200, which the SDK takes as "resume".
 */
import crypto from "node:crypto";
import { z } from "zod";
import { notFound } from "@/lib/server/http/errors";
import { finishRun, startRun } from "@/lib/server/ingest/store";
import { prisma } from "@/lib/server/db/prisma";
import { LIMITS, type RunStatus } from "@/lib/protocol/wire";
import { createRun } from "@/lib/server/runs/create-run";
import { parseInput } from "@/lib/server/http/validate";
import { mergeRunConfig, mergeRunEnvironment } from "../run-writes";
import { requireWritableRun, type Writer } from "../writer";
import { swanlabKey } from "./keys";

const createExperimentSchema = z
  .object({
    name: z.string().trim().min(1).max(LIMITS.keyLength).optional(),
    description: z.string().max(100_000).optional(),
    cuid: z.string().min(1).max(64).optional(),
    labels: z.array(z.object({ name: z.string().trim().min(1).max(64) }).passthrough()).max(64).nullish(),
    job: z.string().max(64).nullish(),
    cluster: z.string().max(64).nullish(),
  })
  .passthrough();

export async function createOrResumeExperiment(writer: Writer, projectName: string, payload: unknown) {
  const input = parseInput(createExperimentSchema, payload);
  const project = await prisma.project.findUnique({ where: { name: projectName } });
  if (!project) throw notFound(`no project ${projectName}`);
  const flagId = crypto.randomBytes(8).toString("hex");

  if (input.cuid) {
    const existing = await prisma.run.findUnique({ where: { id: input.cuid }, select: { projectId: true } });
    if (existing?.projectId === project.id) {
      const run = await requireWritableRun(writer, input.cuid);
      await startRun(run.id, {});
      return { created: false, body: experimentReply(run, flagId) };
    }
  }
  const tags = [...(input.labels ?? []).map((l) => l.name), ...(input.cluster ? [`group:${input.cluster}`] : []), ...(input.job ? [`job:${input.job}`] : [])];
  const created = await createRun(
    { project: projectName, name: input.name, tags: [...new Set(tags)], notes: input.description ?? "" },
    { createdById: writer.userId ?? undefined },
  );
  await startRun(created.id, {});
  const run = await prisma.run.findUniqueOrThrow({ where: { id: created.id }, select: { id: true, name: true, createdAt: true } });
  return { created: true, body: experimentReply(run, flagId) };
}

/** What both SDKs read from the reply: cuid (used in every later path), name, createdAt, and flagId (0.7). */
function experimentReply(run: { id: string; name: string; createdAt: Date }, flagId: string) {
  return { cuid: run.id, name: run.name, flagId, createdAt: run.createdAt.toISOString() };
}

/** `GET /api/project/{username}/{project}/runs/{cuid}`: the SDK checks that a run to resume exists. */
export async function describeExperiment(writer: Writer, projectName: string, runId: string) {
  const run = await requireWritableRun(writer, runId);
  const full = await prisma.run.findUniqueOrThrow({ where: { id: run.id }, include: { project: true } });
  if (full.project.name !== projectName) throw notFound(`no run ${runId} in project ${projectName}`);
  return {
    cuid: full.id,
    name: full.name,
    description: full.notes,
    createdAt: full.createdAt.toISOString(),
    finishedAt: full.endedAt?.toISOString() ?? null,
    state: STATE_OF[full.status],
    labels: full.tags.map((name) => ({ name })),
    profile: { config: full.config },
  };
}

const STATE_OF: Record<RunStatus, string> = {
  queued: "RUNNING",
  running: "RUNNING",
  finished: "FINISHED",
  failed: "CRASHED",
  crashed: "CRASHED",
  cancelled: "ABORTED",
};

const profileSchema = z
  .object({
    config: z.record(z.string(), z.unknown()).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    requirements: z.string().max(1_000_000).optional(),
    conda: z.string().max(1_000_000).optional(),
  })
  .passthrough();

/**
 * The profile arrives in parts (config, metadata, requirements, conda), each
 * its own PUT. Config entries come as `{value, sort, desc}`; the run keeps the value.
 */
export async function updateProfile(runId: string, payload: unknown): Promise<void> {
  const { config, metadata, requirements, conda } = parseInput(profileSchema, payload);
  if (config) {
    await mergeRunConfig(runId, Object.fromEntries(Object.entries(config).map(([k, v]) => [k, unwrapConfigValue(v)])));
  }
  await mergeRunEnvironment(runId, {
    ...(metadata ? { swanlab: metadata } : {}),
    ...(requirements !== undefined ? { requirements } : {}),
    ...(conda !== undefined ? { conda } : {}),
  });
  const command = (metadata?.runtime as { command?: unknown } | undefined)?.command;
  if (typeof command === "string") await prisma.run.update({ where: { id: runId }, data: { commandLine: command.slice(0, 100_000) } });
}

function unwrapConfigValue(v: unknown): unknown {
  return v && typeof v === "object" && !Array.isArray(v) && "value" in v ? (v as { value: unknown }).value : v;
}

const stateSchema = z.object({ state: z.enum(["FINISHED", "CRASHED", "ABORTED", "RUNNING"]) }).passthrough();
const FINISH_STATUS = { FINISHED: "finished", CRASHED: "crashed", ABORTED: "cancelled" } as const;

export async function setExperimentState(runId: string, payload: unknown): Promise<void> {
  const { state } = parseInput(stateSchema, payload);
  if (state === "RUNNING") return startRun(runId, {});
  await finishRun(runId, { status: FINISH_STATUS[state], ...(state === "CRASHED" ? { error: "the SwanLab SDK reported a crash" } : {}) });
}

/**
 * What a resumed run already holds, so the SDK continues its step and line
 * counters: the last step of each scalar and media key, and the last console line.
 */
export async function experimentSummary(runId: string) {
  const [scalars, media, lastLine] = await Promise.all([
    prisma.$queryRaw<{ key: string; step: number }[]>`SELECT "key", max("step")::int AS step FROM "MetricPoint" WHERE "runId" = ${runId} GROUP BY "key"`,
    prisma.$queryRaw<{ key: string; step: number }[]>`SELECT "key", max("step")::int AS step FROM "RunImage" WHERE "runId" = ${runId} GROUP BY "key"`,
    prisma.logLine.findFirst({ where: { runId, seq: { gte: 0 } }, orderBy: { seq: "desc" }, select: { seq: true } }),
  ]);
  return {
    scalar: scalars.map((s) => ({ key: swanlabKey(s.key), step: s.step })),
    media: media.map((m) => ({ key: m.key, step: m.step })),
    log: lastLine ? [{ key: "log", step: Math.floor(lastLine.seq / 2) }] : [],
  };
}
