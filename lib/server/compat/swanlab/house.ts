/**
 * `POST /api/house/metrics`: the SDK's batches of scalars, media and console
 * lines, each `{type, experimentId, metrics: [...]}`, up to 10,000 records.
 *
 * The SDK drops a batch on any 4xx and retries a 5xx without end, so a batch
 * is answered 201 whenever its run is known: each record that cannot be
 * stored is left out and the reason recorded on the run as a log line.
 */
import { z } from "zod";
import { ClientError } from "@/lib/server/http/errors";
import { heartbeat, storeImage, storeLogs, storeMetrics } from "@/lib/server/ingest/store";
import { sniffImageMime } from "@/lib/protocol/image-format";
import { INT4_MAX, LIMITS, toWireNumber } from "@/lib/protocol/wire";
import { describeZodError } from "@/lib/protocol/schemas";
import { parseInput } from "@/lib/server/http/validate";
import { appendLogLines, clientLineSeq, recordRefusal } from "../run-writes";
import { requireWritableRun, type Writer } from "../writer";
import { inkstoneKey } from "./keys";
import { claimUploads } from "./uploads";

const CLIENT = "SwanLab";

const targetSchema = z.object({ experimentId: z.string().min(1).max(64) });
const batchSchema = z.object({
  type: z.enum(["scalar", "media", "log"]),
  metrics: z.array(z.unknown()).max(LIMITS.metricsPerBatch, `a batch holds at most ${LIMITS.metricsPerBatch} records`),
});

const key = z.string().min(1).max(LIMITS.keyLength);
const step = z.number().int().min(0).max(INT4_MAX);
const createTime = z.string().max(64).optional();

/** Non-finite values as the SDKs spell them: "nan" (0.9), "NaN" and "INF" (0.7). */
const NON_FINITE: Record<string, number> = { nan: NaN, inf: Infinity, "+inf": Infinity, infinity: Infinity, "-inf": -Infinity, "-infinity": -Infinity };
const scalarValue = z.union([
  z.number(),
  z
    .string()
    .refine((s) => s.toLowerCase() in NON_FINITE, "must be a number, nan or inf")
    .transform((s) => toWireNumber(NON_FINITE[s.toLowerCase()])),
]);
const scalarSchema = z.object({ key, index: step, data: scalarValue, create_time: createTime });
const mediaSchema = z.object({
  key,
  index: step,
  data: z.array(z.string().max(1_000_000)).max(1_000),
  more: z.array(z.object({ caption: z.string().nullish() }).passthrough().nullable()).nullish(),
  create_time: createTime,
});
const logSchema = z.object({ epoch: z.number().int().min(0).max(1_000_000_000), message: z.string(), level: z.string().max(16).optional(), create_time: createTime });

/** Stores one batch. Only a batch that names no run this writer may log to is answered with an error. */
export async function ingestBatch(writer: Writer, payload: unknown): Promise<void> {
  const run = await requireWritableRun(writer, parseInput(targetSchema, payload).experimentId);
  // SwanLab 0.7 beats every 10 minutes; its batches say as well that the trainer is alive.
  await heartbeat(run.id);
  const parsed = batchSchema.safeParse(payload);
  if (!parsed.success) return recordRefusal(run.id, CLIENT, `a batch: ${describeZodError(parsed.error)}`);
  const batch = parsed.data;
  const refusals: string[] = [];
  const valid = <S extends z.ZodType>(schema: S, records: unknown[]): z.output<S>[] =>
    records.flatMap((r, i) => {
      const record = schema.safeParse(r);
      if (record.success) return [record.data];
      refusals.push(`${batch.type} record ${i}: ${describeZodError(record.error)}`);
      return [];
    });
  try {
    if (batch.type === "scalar") await ingestScalars(run.id, valid(scalarSchema, batch.metrics));
    else if (batch.type === "log") await ingestConsole(run.id, valid(logSchema, batch.metrics));
    else refusals.push(...(await ingestMedia(run.id, valid(mediaSchema, batch.metrics))));
  } catch (err) {
    // A store function refused the whole batch (e.g. its own validation), or failed on
    // its content: say why on the run and keep the SDK going. Were the database
    // down, recording fails too and the SDK gets a 503, which it retries.
    if (err instanceof ClientError) refusals.push(`${batch.type} batch: ${err.message}`);
    else {
      console.error("inkstone: a SwanLab batch failed:", err);
      refusals.push(`${batch.type} batch: internal error while storing it (see the server log)`);
    }
  }
  for (const reason of refusals.slice(0, 20)) await recordRefusal(run.id, CLIENT, reason);
  if (refusals.length > 20) await recordRefusal(run.id, CLIENT, `and ${refusals.length - 20} more records`);
}

async function ingestScalars(runId: string, records: z.output<typeof scalarSchema>[]): Promise<void> {
  if (!records.length) return;
  await storeMetrics(runId, {
    points: records.map((r) => ({ key: inkstoneKey(r.key), step: r.index, value: r.data, time: timeOf(r.create_time) })),
  });
}

async function ingestConsole(runId: string, records: z.output<typeof logSchema>[]): Promise<void> {
  if (!records.length) return;
  await storeLogs(runId, {
    lines: records.map((r) => ({
      seq: clientLineSeq(r.epoch),
      stream: r.level === "ERROR" ? "stderr" : "stdout",
      text: r.message.slice(0, LIMITS.logLineLength),
      time: timeOf(r.create_time),
    })),
  });
}

/**
 * A media record names its files by upload path (images, and text in 0.9.x)
 * or carries text inline (0.7.x). Images become run images, position in the
 * list as index, so a "validation" list captioned "{i}: {prompt}" fills the
 * prompt x epoch grid; text becomes a log line. Returns what was refused.
 */
async function ingestMedia(runId: string, records: z.output<typeof mediaSchema>[]): Promise<string[]> {
  const refusals: string[] = [];
  const uploads = await claimUploads(runId, records.flatMap((r) => r.data));
  const texts: string[] = [];
  for (const r of records) {
    for (const [index, item] of r.data.entries()) {
      const caption = r.more?.[index]?.caption ?? undefined;
      const where = `${r.key} at step ${r.index}, item ${index}`;
      const bytes = uploads.get(item);
      if (!bytes) {
        if (looksLikeUploadPath(item)) refusals.push(`${where}: ${item} was never uploaded`);
        else texts.push(textLine(r.key, r.index, caption, item));
      } else if (sniffImageMime(bytes)) {
        try {
          await storeImage(runId, { key: inkstoneKey(r.key), step: r.index, index, caption: caption?.slice(0, LIMITS.captionLength), time: timeOf(r.create_time) }, bytes);
        } catch (err) {
          if (!(err instanceof ClientError)) throw err;
          refusals.push(`${where}: ${err.message}`);
        }
      } else if (/\.(txt|md)$/i.test(item)) {
        texts.push(textLine(r.key, r.index, caption, new TextDecoder().decode(bytes)));
      } else {
        refusals.push(`${where}: ${item} is not an image or text; Inkstone does not show it`);
      }
    }
  }
  await appendLogLines(runId, texts.map((text) => ({ stream: "stdout" as const, text })));
  return refusals;
}

function textLine(key: string, step: number, caption: string | undefined, text: string): string {
  return `[${key} @ step ${step}]${caption ? ` ${caption}:` : ""} ${text}`;
}

/** "media/image/004-cd863a70.png", "validation/image-step4-cd86.png": a file the SDK meant to upload. */
function looksLikeUploadPath(item: string): boolean {
  return /^[^\s]+\/[^\s]+\.[A-Za-z0-9]{2,5}$/.test(item);
}

/** SwanLab writes "2026-11-26T02:22:48.369986Z" or "...+00:00"; anything else is stored as now. */
function timeOf(createTime: string | undefined): number | undefined {
  const t = createTime ? Date.parse(createTime) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

