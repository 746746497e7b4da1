/**
 * The wire contract between trainers (the SDK, curl) and the server: socket.io
 * events on `/ingest`, the same payloads over HTTP, and what `/live` emits.
 * Every boundary validates with these schemas, so a bad payload gets one
 * clear error instead of reaching the database.
 */
import { z } from "zod";

export const RUN_STATUSES = ["queued", "running", "finished", "failed", "crashed", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** Statuses a trainer may report when it ends a run. */
export const FINISH_STATUSES = ["finished", "failed", "cancelled", "crashed"] as const;

export const LIMITS = {
  keyLength: 255,
  metricsPerBatch: 10_000,
  logLinesPerBatch: 5_000,
  logLineLength: 16_384,
  imageBytes: 10 * 1024 * 1024,
  captionLength: 4_096,
  /** Largest JSON body or socket.io message accepted, in bytes. */
  bodyBytes: 16 * 1024 * 1024,
} as const;

/** JSON cannot carry NaN or ±Infinity, so they travel as these strings. */
export const nonFiniteNames = ["NaN", "Infinity", "-Infinity"] as const;
export type WireNumber = number | (typeof nonFiniteNames)[number];

export function toWireNumber(v: number): WireNumber {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  return v;
}

export function fromWireNumber(v: WireNumber): number {
  return typeof v === "number" ? v : Number(v);
}

const metricKey = z
  .string()
  .min(1, "key must not be empty")
  .max(LIMITS.keyLength, `key must be at most ${LIMITS.keyLength} characters`);
const step = z.number().int("step must be an integer").min(0, "step must be >= 0").max(2_147_483_647);
/** Wall time as epoch milliseconds or an ISO string. */
const wallTime = z.union([z.number().finite(), z.string().datetime({ offset: true })]);

export const metricPointSchema = z.object({
  key: metricKey,
  step,
  value: z.union([z.number(), z.enum(nonFiniteNames)]),
  time: wallTime.optional(),
});
export type MetricPointInput = z.infer<typeof metricPointSchema>;

export const metricsBatchSchema = z.object({
  points: z
    .array(metricPointSchema)
    .min(1, "a batch needs at least one point")
    .max(LIMITS.metricsPerBatch, `a batch holds at most ${LIMITS.metricsPerBatch} points`),
});

const jsonObject = z.record(z.string(), z.unknown());

export const createRunSchema = z.object({
  project: z.string().trim().min(1).max(LIMITS.keyLength).default("default"),
  name: z.string().trim().min(1).max(LIMITS.keyLength).optional(),
  config: jsonObject.default({}),
  tags: z.array(z.string().trim().min(1).max(64)).max(64).default([]),
  notes: z.string().max(100_000).default(""),
  commandLine: z.string().max(100_000).optional(),
});
export type CreateRunInput = z.input<typeof createRunSchema>;

export const runStartSchema = z.object({
  config: jsonObject.optional(),
  environment: jsonObject.optional(),
  commandLine: z.string().max(100_000).optional(),
});

export const logsBatchSchema = z.object({
  lines: z
    .array(
      z.object({
        /** Assigned by the SDK, so a resent batch does not duplicate lines. */
        seq: z.number().int().min(0),
        stream: z.enum(["stdout", "stderr"]).default("stdout"),
        text: z.string().max(LIMITS.logLineLength),
        time: wallTime.optional(),
      }),
    )
    .min(1)
    .max(LIMITS.logLinesPerBatch),
});

export const imageMetaSchema = z.object({
  key: metricKey,
  step,
  epoch: z.number().int().min(0).optional(),
  index: z.number().int().min(0).max(10_000).default(0),
  caption: z.string().max(LIMITS.captionLength).optional(),
  time: wallTime.optional(),
});
export type ImageMeta = z.input<typeof imageMetaSchema>;

export const heartbeatSchema = z.object({}).passthrough();

export const runFinishSchema = z.object({
  status: z.enum(FINISH_STATUSES),
  error: z.string().max(100_000).optional(),
});

/** Acknowledgement of every ingest event and the JSON body of every HTTP ingest reply. */
export type Ack<T = unknown> = { ok: true; data?: T } | { ok: false; error: string };

/** Events pushed to browsers on `/live`, in room `run:<id>`. */
export interface LiveEvents {
  metrics: (e: { runId: string; points: { key: string; step: number; value: WireNumber; time: string }[] }) => void;
  image: (e: { runId: string; image: LiveImage }) => void;
  logs: (e: { runId: string; lines: { seq: number; stream: string; text: string; time: string }[] }) => void;
  status: (e: { runId: string; status: RunStatus; endedAt: string | null; error: string | null }) => void;
}

export interface LiveImage {
  id: string;
  key: string;
  step: number;
  epoch: number | null;
  index: number;
  caption: string | null;
  width: number;
  height: number;
  mimeType: string;
  url: string;
}

/** Formats a zod error as one line that names the offending field. */
export function describeZodError(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join(".") : "body"}: ${i.message}`)
    .join("; ");
}
