/**
 * MLflow runs are Inkstone runs, and MLflow's run_id is the run's id.
 * Metrics go through the SDK's store (live charts included), params into the
 * run's config, tags into its environment (all of them, for `runs/get`) and,
 * for the user's own tags, its tag list as "key=value".
 */
import { z } from "zod";
import { finishRun, startRun, storeMetrics } from "@/lib/server/ingest/store";
import { prisma } from "@/lib/server/db/prisma";
import { INT4_MAX, LIMITS, type RunStatus } from "@/lib/protocol/wire";
import { wireNumberSchema } from "@/lib/protocol/schemas";
import { createRun } from "@/lib/server/runs/create-run";
import { parseInput } from "@/lib/server/http/validate";
import { mergeRunConfig, mergeRunEnvironmentSection } from "../run-writes";
import { requireWritableRun, type Writer } from "../writer";
import { experimentIdOf, projectOfExperiment } from "./experiments";

const RUN_NAME_TAG = "mlflow.runName";
const NOTE_TAG = "mlflow.note.content";
/** MLflow's own tags (user, source, logged images): kept, but not shown as tags. */
const SYSTEM_TAG_PREFIX = "mlflow.";
/** Where a run's MLflow tags are kept, in its environment. */
const TAGS_FIELD = "mlflow_tags";

const tagSchema = z.object({ key: z.string().min(1).max(250), value: z.string().max(8_000).default("") });
const paramSchema = z.object({ key: z.string().min(1).max(250), value: z.string().max(6_000).default("") });
const metricSchema = z.object({
  key: z.string().min(1).max(LIMITS.keyLength),
  value: wireNumberSchema,
  timestamp: z.coerce.number().finite().optional(),
  step: z.coerce.number().int().min(0).max(INT4_MAX).default(0),
});
const runId = z.string().min(1).max(64);
/** MLflow sends both run_id and the older run_uuid. */
const runRef = z.object({ run_id: runId.optional(), run_uuid: runId.optional() }).refine((r) => r.run_id || r.run_uuid, "run_id is required");
const refOf = (r: { run_id?: string; run_uuid?: string }) => (r.run_id ?? r.run_uuid)!;

const createSchema = z
  .object({
    experiment_id: z.string().max(64).optional(),
    run_name: z.string().trim().max(LIMITS.keyLength).optional(),
    tags: z.array(tagSchema).max(1_000).default([]),
  })
  .passthrough();

export async function createMlflowRun(writer: Writer, payload: unknown) {
  const input = parseInput(createSchema, payload);
  const project = await projectOfExperiment(input.experiment_id);
  const name = input.run_name || input.tags.find((t) => t.key === RUN_NAME_TAG)?.value || undefined;
  const created = await createRun({ project: project.name, name }, { createdById: writer.userId ?? undefined });
  await startRun(created.id, {});
  await applyTags(created.id, input.tags);
  return { run: await describeRun(created.id) };
}

export async function getMlflowRun(writer: Writer, query: URLSearchParams) {
  const ref = parseInput(runRef, { run_id: query.get("run_id") ?? undefined, run_uuid: query.get("run_uuid") ?? undefined });
  const run = await requireWritableRun(writer, refOf(ref));
  return { run: await describeRun(run.id) };
}

export async function logMetric(writer: Writer, payload: unknown) {
  const input = parseInput(runRef.and(metricSchema), payload);
  const run = await requireWritableRun(writer, refOf(input));
  await storeMetrics(run.id, { points: [pointOf(input)] });
  return {};
}

export async function logParam(writer: Writer, payload: unknown) {
  const input = parseInput(runRef.and(paramSchema), payload);
  const run = await requireWritableRun(writer, refOf(input));
  await mergeRunConfig(run.id, { [input.key]: input.value });
  return {};
}

export async function setTag(writer: Writer, payload: unknown) {
  const input = parseInput(runRef.and(tagSchema), payload);
  const run = await requireWritableRun(writer, refOf(input));
  await applyTags(run.id, [input]);
  return {};
}

const batchSchema = runRef.and(
  z.object({
    metrics: z.array(metricSchema).max(1_000).default([]),
    params: z.array(paramSchema).max(100).default([]),
    tags: z.array(tagSchema).max(100).default([]),
  }),
);

/** `log_metrics`, `log_params` and several tags at once. */
export async function logBatch(writer: Writer, payload: unknown) {
  const input = parseInput(batchSchema, payload);
  const run = await requireWritableRun(writer, refOf(input));
  if (input.metrics.length) await storeMetrics(run.id, { points: input.metrics.map(pointOf) });
  await mergeRunConfig(run.id, Object.fromEntries(input.params.map((p) => [p.key, p.value])));
  await applyTags(run.id, input.tags);
  return {};
}

const updateSchema = runRef.and(
  z.object({
    status: z.enum(["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"]).optional(),
    run_name: z.string().trim().min(1).max(LIMITS.keyLength).optional(),
  }),
);
const FINISH_STATUS = { FINISHED: "finished", FAILED: "failed", KILLED: "cancelled" } as const;

/** `end_run` (status and end time) and renames. */
export async function updateMlflowRun(writer: Writer, payload: unknown) {
  const input = parseInput(updateSchema, payload);
  const run = await requireWritableRun(writer, refOf(input));
  if (input.run_name) await prisma.run.update({ where: { id: run.id }, data: { name: input.run_name } });
  if (input.status === "RUNNING") await startRun(run.id, {});
  else if (input.status && input.status !== "SCHEDULED") await finishRun(run.id, { status: FINISH_STATUS[input.status] });
  return { run_info: (await describeRun(run.id)).info };
}

function pointOf(m: z.output<typeof metricSchema>) {
  return { key: m.key, step: m.step, value: m.value, ...(m.timestamp !== undefined ? { time: m.timestamp } : {}) };
}

async function applyTags(runId: string, tags: { key: string; value: string }[]): Promise<void> {
  if (!tags.length) return;
  await mergeRunEnvironmentSection(runId, TAGS_FIELD, Object.fromEntries(tags.map((t) => [t.key, t.value])));
  const lastValue = (key: string) => tags.filter((t) => t.key === key).at(-1)?.value;
  const name = lastValue(RUN_NAME_TAG)?.trim();
  const note = lastValue(NOTE_TAG);
  const labels = tags.filter((t) => !t.key.startsWith(SYSTEM_TAG_PREFIX)).map((t) => (t.value ? `${t.key}=${t.value}` : t.key).slice(0, 64));
  if (!name && note === undefined && !labels.length) return;
  const run = await prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { tags: true } });
  // A tag set again replaces its earlier "key=value".
  const keys = new Set(tags.map((t) => t.key));
  const kept = run.tags.filter((l) => !keys.has(l.split("=")[0]));
  await prisma.run.update({
    where: { id: runId },
    data: { ...(name ? { name: name.slice(0, LIMITS.keyLength) } : {}), ...(note !== undefined ? { notes: note } : {}), tags: [...new Set([...kept, ...labels])].slice(0, 64) },
  });
}

async function storedTags(runId: string): Promise<Record<string, string>> {
  const env = await prisma.runEnvironment.findUnique({ where: { runId }, select: { data: true } });
  const tags = (env?.data as Record<string, unknown> | undefined)?.[TAGS_FIELD];
  return tags && typeof tags === "object" ? (tags as Record<string, string>) : {};
}

const STATUS_OF: Record<RunStatus, string> = {
  queued: "SCHEDULED",
  running: "RUNNING",
  finished: "FINISHED",
  failed: "FAILED",
  crashed: "FAILED",
  cancelled: "KILLED",
};

/** MLflow's Run message: info, and data with each metric's latest value, params and tags. */
async function describeRun(runId: string) {
  const run = await prisma.run.findUniqueOrThrow({ where: { id: runId }, include: { project: true, createdBy: { select: { email: true } } } });
  const experimentId = experimentIdOf(run.project);
  const latest = await prisma.$queryRaw<{ key: string; value: number; step: number; time: Date }[]>`
    SELECT DISTINCT ON ("key") "key", "value", "step", "time" FROM "MetricPoint" WHERE "runId" = ${runId} ORDER BY "key", "step" DESC`;
  const config = (run.config ?? {}) as Record<string, unknown>;
  return {
    info: {
      run_id: run.id,
      run_uuid: run.id,
      run_name: run.name,
      experiment_id: experimentId,
      user_id: run.createdBy?.email ?? "",
      status: STATUS_OF[run.status],
      start_time: (run.startedAt ?? run.createdAt).getTime(),
      ...(run.endedAt ? { end_time: run.endedAt.getTime() } : {}),
      artifact_uri: `mlflow-artifacts:/${experimentId}/${run.id}/artifacts`,
      lifecycle_stage: "active",
    },
    data: {
      metrics: latest.map((m) => ({ key: m.key, value: wire(m.value), step: m.step, timestamp: m.time.getTime() })),
      params: Object.entries(config).map(([key, value]) => ({ key, value: typeof value === "string" ? value : JSON.stringify(value) })),
      tags: Object.entries({ ...(await storedTags(runId)), [RUN_NAME_TAG]: run.name }).map(([key, value]) => ({ key, value })),
    },
  };
}

/** Protobuf's JSON carries non-finite doubles as strings. */
function wire(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

