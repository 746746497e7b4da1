/**
 * What a worker and the server say to each other over HTTP (`/api/worker/*`,
 * Bearer worker token). Shared by both sides; imports nothing that touches
 * the database, so the worker never loads it.
 */
import { z } from "zod";
import { readEnv } from "@/lib/config/env";

export const gpuSchema = z.object({
  index: z.number().int().min(0).max(1024),
  name: z.string().max(200),
  memoryMiB: z.number().min(0),
  utilization: z.number().min(0).max(100).nullable(),
});

export const WORKER_NAME = /^[\w.-]{1,100}$/;

export const registerSchema = z.object({
  /** `--name`: renames the worker the token belongs to. */
  name: z.string().regex(WORKER_NAME, "letters, digits, '.', '_' and '-' only, at most 100").optional(),
  hostname: z.string().trim().min(1).max(255),
  gpus: z.array(gpuSchema).max(64),
  backend: z.string().max(50),
  version: z.string().max(100),
  workDir: z.string().max(4096),
});
export type RegisterRequest = z.infer<typeof registerSchema>;

export const heartbeatSchema = z.object({
  gpus: z.array(gpuSchema).max(64),
  /** Runs whose processes the worker is running now. */
  running: z.array(z.string().max(100)).max(64),
});
export type HeartbeatRequest = z.infer<typeof heartbeatSchema>;
export interface HeartbeatResponse {
  /** Runs the worker must stop (SIGTERM): cancelled on the web page. */
  cancel: string[];
}

export const claimSchema = z.object({
  /** The free device the run would get, e.g. "gpu1" or "cpu". */
  slot: z.string().regex(/^(gpu\d+|cpu)$/, 'a slot like "gpu0" or "cpu"'),
});
export type ClaimRequest = z.infer<typeof claimSchema>;
export interface ClaimedLaunch {
  runId: string;
  /** The trainer's flags; the worker prefixes its own training command. */
  flags: string[];
  /** The run's ingest token, for the trainer's environment only. */
  token: string;
}

export const exitSchema = z.object({
  exitCode: z.number().int().nullable(),
  signal: z.string().max(20).nullable(),
  spawnError: z.string().max(4000).optional(),
  outputTail: z.string().max(16_384),
});
export type ExitReport = z.infer<typeof exitSchema>;

/** How often a worker heartbeats and looks for work. */
export const WORKER_POLL_MS = readEnv("INKSTONE_WORKER_POLL_MS");
