/**
 * The schemas every ingest boundary (socket events, HTTP routes, the SDK's
 * inputs) validates with, so a bad payload gets one clear error instead of
 * reaching the database. Server and SDK only: pages import protocol.ts.
 */
import { z } from "zod";
import { FINISH_STATUSES, LIMITS, nonFiniteNames } from "./protocol";

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

export const runFinishSchema = z.object({
  status: z.enum(FINISH_STATUSES),
  error: z.string().max(100_000).optional(),
});

/** Formats a zod error as one line that names the offending field. */
export function describeZodError(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join(".") : "body"}: ${i.message}`)
    .join("; ");
}
