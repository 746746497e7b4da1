/**
 * The wire contract between trainers (the SDK, curl) and the server: socket.io
 * events on `/ingest`, the same payloads over HTTP, and what `/live` emits.
 * Constants and types only, so that pages can import them without zod; the
 * schemas every boundary validates with, and the types of points, lines and
 * series derived from them, are in schemas.ts.
 */
import type { LiveLogLine, LiveMetricPoint } from "./schemas.ts";

export const RUN_STATUSES = ["queued", "running", "finished", "failed", "crashed", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** Statuses a trainer may report when it ends a run. */
export const FINISH_STATUSES = ["finished", "failed", "cancelled", "crashed"] as const;
export type FinishStatus = (typeof FINISH_STATUSES)[number];

/** PostgreSQL's int4, the type of steps, log sequence numbers and epochs: the largest step any client may send. */
export const INT4_MAX = 2_147_483_647;

/** Whether a step is one the server stores (stepSchema's rule, for code that checks without zod). */
export function isStep(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= INT4_MAX;
}

/**
 * Bucket widths, in steps, each a multiple of the first, of the rollups the
 * server keeps (lib/server/metrics/rollup.ts). Each output bucket of a
 * downsample reads the widest one that fits inside it, so consecutive widths
 * 4x apart mean at most 4 rollup rows per output bucket (a 2,000-bucket chart
 * of 1M steps reads ~4,000 rows instead of 15,600 with 64-wide ones). The
 * finest, 16, keeps a chart of a few hundred pixels over 10k+ steps off the
 * raw points (15k rows per series, the bulk of a 10-run compare page's time).
 * Charts pick bucket counts aligned with them (lib/browser/charts/buckets.ts).
 */
export const ROLLUP_WIDTHS = [16, 64, 256, 1024, 4096, 16384, 65536, 262144] as const;

export const LIMITS = {
  keyLength: 255,
  metricsPerBatch: 10_000,
  logLinesPerBatch: 5_000,
  logLineLength: 16_384,
  /** Log lines one process may number (seq 0 to this - 1): each writer of a run gets a block of this size. */
  logLinesPerWriter: 2 ** 24,
  imageBytes: 10 * 1024 * 1024,
  captionLength: 4_096,
  /** Largest image index (its row in a grid: the prompt's number). */
  imageIndex: 10_000,
  /** Largest run config (or environment) as JSON, in bytes: the runs list and every run page carry it. */
  configBytes: 256 * 1024,
  /** Largest image accepted, in pixels (width x height): a small file can decode to a huge canvas. */
  imagePixels: 4096 * 4096,
  /** Largest JSON reply the API sends, in bytes: no request, anonymous or not, costs more egress (image files aside). */
  replyBytes: 5 * 1024 * 1024,
  /** Most points one series request may ask for, all its series together (~130 bytes of JSON each). */
  seriesPointsPerRequest: 30_000,
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

/** A point or log line of a batch that was not stored: its position in the batch and why. */
export interface Refusal {
  index: number;
  error: string;
}

/**
 * What a metrics or logs batch stored. Points are refused one by one, never
 * the whole batch: the good ones are stored and the bad ones listed here
 * (a batch whose every point is bad gets a 400 naming the first problem).
 * Resent points the server already had count as neither stored nor refused.
 */
export interface BatchResult {
  stored: number;
  refused: Refusal[];
}

/** Acknowledgement of every ingest event and the JSON body of every HTTP ingest reply. */
export type Ack<T = unknown> = { ok: true; data?: T } | { ok: false; error: string };

/** Events pushed to browsers on `/live`, in room `run:<id>`. */
export interface LiveEvents {
  metrics: (e: { runId: string; points: LiveMetricPoint[] }) => void;
  image: (e: { runId: string; image: LiveImage }) => void;
  logs: (e: { runId: string; lines: LiveLogLine[] }) => void;
  status: (e: { runId: string; status: RunStatus; endedAt: string | null; error: string | null }) => void;
}

/** The trainer's validation images: the grid a view opens on. */
export const VALIDATION_KEY = "validation";
/** Images sampled from a run's final model on the server (lib/server/runs/samples.ts). */
export const SAMPLES_KEY = "samples";

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
