/**
 * The schemas every ingest boundary (socket events, HTTP routes, the SDK's
 * inputs) validates with, so a bad payload gets one clear error instead of
 * reaching the database. Server and SDK only: pages import protocol.ts.
 */
import { z } from "zod";
import { FINISH_STATUSES, INT4_MAX, LIMITS, nonFiniteNames, type WireNumber } from "./wire.ts";
import { cleanJson, cleanText, isStorableText, MAX_JSON_DEPTH } from "./text.ts";

/** A name (key, project, tag): refused when PostgreSQL cannot store it as text (see lib/protocol/text.ts). */
export function nameText(max: number, what = "it") {
  return z
    .string()
    .max(max, `${what} must be at most ${max} characters`)
    .refine(isStorableText, `${what} must not contain NUL bytes or unpaired surrogates`);
}

/** Free text (log lines, captions, notes, errors): cleaned so PostgreSQL can store it (see lib/protocol/text.ts). */
export function freeText(max: number) {
  return z.string().max(max, `at most ${max} characters`).transform(cleanText);
}

const metricKey = nameText(LIMITS.keyLength, "key").pipe(z.string().min(1, "key must not be empty"));
const int4 = (what: string) => z.number().int(`${what} must be an integer`).min(0, `${what} must be >= 0`).max(INT4_MAX, `${what} must be at most ${INT4_MAX}`);
export const stepSchema = int4("step");
/** Years 1 to 9999: what both JavaScript dates and PostgreSQL's timestamptz hold. */
const TIME_RANGE_MS = [Date.parse("0001-01-01T00:00:00Z"), Date.parse("9999-12-31T23:59:59.999Z")] as const;
/** Wall time as epoch milliseconds or an ISO string. */
const wallTime = z
  .union([z.number().finite(), z.string().datetime({ offset: true })])
  .refine((t) => {
    const ms = typeof t === "number" ? t : Date.parse(t);
    return ms >= TIME_RANGE_MS[0] && ms <= TIME_RANGE_MS[1];
  }, "time must be between the years 1 and 9999 (epoch milliseconds or an ISO 8601 string)");

/** A number, or one of the names non-finite numbers travel as (a literal, not an enum, whose "-Infinity" key breaks declaration emit). */
export const wireNumberSchema = z.union([z.number(), z.literal(nonFiniteNames)]);

/** One metric point: the only declaration of its shape; every other point type below derives from it. */
export const metricPointSchema = z.object({
  key: metricKey,
  step: stepSchema,
  value: wireNumberSchema,
  time: wallTime.optional(),
});
/** A point as clients send it (the SDK sets `time` to epoch milliseconds). */
export type MetricPoint = z.input<typeof metricPointSchema>;
/** A stored point as the server sends it on `/live`: its wall time always there, as an ISO string. */
export type LiveMetricPoint = MetricPoint & { time: string };
/**
 * A point of a series read (`POST /api/series`), whose key is the series'.
 * Downsampled, it is the last point of its bucket, with the bucket's min,
 * max (null when every value was NaN) and point count. Its wall time, an ISO
 * string, may be missing (charts then leave it off time axes).
 */
export type SeriesPoint = Omit<MetricPoint, "key" | "time"> & Partial<Pick<LiveMetricPoint, "time">> & { min?: WireNumber | null; max?: WireNumber | null; count?: number };
export interface Series {
  key: string;
  downsampled: boolean;
  /** Steps covered by this reply. */
  from: number | null;
  to: number | null;
  points: SeriesPoint[];
}

/** One series a chart asks `POST /api/series` for: at most `buckets` points of the steps [from, to]. */
export const seriesRequestSchema = z.object({
  runId: nameText(64, "runId").pipe(z.string().min(1)),
  key: metricKey,
  buckets: z.number().int().min(1).max(20_000),
  from: stepSchema.optional(),
  to: stepSchema.optional(),
});
export type SeriesRequest = z.input<typeof seriesRequestSchema>;

/** A metrics batch's envelope; each point is checked on its own (metricPointSchema) so one bad point refuses only itself. */
export const metricsBatchSchema = z.object({
  points: z
    .array(z.unknown())
    .min(1, "a batch needs at least one point")
    .max(LIMITS.metricsPerBatch, `a batch holds at most ${LIMITS.metricsPerBatch} points`),
});

/**
 * A JSON object such as a config: nested at most MAX_JSON_DEPTH levels, at
 * most LIMITS.configBytes once serialised, its strings cleaned.
 */
const jsonObject = z.record(z.string(), z.unknown()).transform((obj, ctx) => {
  const cleaned = cleanJson(obj);
  if ("tooDeep" in cleaned) {
    ctx.addIssue({ code: "custom", message: `nested deeper than ${MAX_JSON_DEPTH} levels` });
    return z.NEVER;
  }
  const bytes = Buffer.byteLength(JSON.stringify(cleaned.value));
  if (bytes > LIMITS.configBytes) {
    ctx.addIssue({ code: "custom", message: `${bytes} bytes as JSON, the limit is ${LIMITS.configBytes}` });
    return z.NEVER;
  }
  return cleaned.value as Record<string, unknown>;
});

export const createRunSchema = z.object({
  project: nameText(LIMITS.keyLength, "project").pipe(z.string().trim().min(1)).default("default"),
  name: nameText(LIMITS.keyLength, "name").pipe(z.string().trim().min(1)).optional(),
  config: jsonObject.default({}),
  tags: z.array(nameText(64, "a tag").pipe(z.string().trim().min(1))).max(64).default([]),
  notes: freeText(100_000).default(""),
  commandLine: freeText(100_000).optional(),
});
export type CreateRunInput = z.input<typeof createRunSchema>;

export const runStartSchema = z.object({
  config: jsonObject.optional(),
  environment: jsonObject.optional(),
  commandLine: freeText(100_000).optional(),
});

export const logLineSchema = z.object({
  /** Assigned by the SDK, so a resent batch does not duplicate lines; counted per writer. */
  seq: int4("seq").pipe(z.number().max(LIMITS.logLinesPerWriter - 1, `seq must be below ${LIMITS.logLinesPerWriter} (lines per writer)`)),
  stream: z.enum(["stdout", "stderr"]).default("stdout"),
  text: freeText(LIMITS.logLineLength),
  time: wallTime.optional(),
});
/** A log line as clients send it. */
export type LogLine = z.input<typeof logLineSchema>;
/** A stored line as the server sends it (`/live`, the logs API): its wall time as an ISO string. */
export type LiveLogLine = Omit<z.output<typeof logLineSchema>, "time"> & { time: string };

/** A logs batch's envelope; each line is checked on its own (logLineSchema) so one bad line refuses only itself. */
export const logsBatchSchema = z.object({
  /** Which process numbered these lines (any id it picks once); processes sharing a run must differ. */
  writer: nameText(64, "writer").default(""),
  lines: z.array(z.unknown()).min(1, "a batch needs at least one line").max(LIMITS.logLinesPerBatch, `a batch holds at most ${LIMITS.logLinesPerBatch} lines`),
});

export const imageMetaSchema = z.object({
  key: metricKey,
  step: stepSchema,
  epoch: int4("epoch").optional(),
  index: z.number().int().min(0).max(LIMITS.imageIndex).default(0),
  caption: freeText(LIMITS.captionLength).optional(),
  time: wallTime.optional(),
});
export type ImageMeta = z.input<typeof imageMetaSchema>;

export const runFinishSchema = z.object({
  status: z.enum(FINISH_STATUSES),
  error: freeText(100_000).optional(),
});

/** Formats a zod error as one line that names the offending field. */
export function describeZodError(err: z.ZodError, prefix: PropertyKey[] = []): string {
  return err.issues
    .slice(0, 5)
    .map((i) => {
      const path = [...prefix, ...i.path].map(String);
      return `${path.length ? path.join(".") : "body"}: ${i.message}`;
    })
    .join("; ");
}
