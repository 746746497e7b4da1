/**
 * A batch is one ingest event as the SDK queues, sends, spools and syncs it.
 * The same batch travels as a socket.io event while the run is connected and
 * as an HTTP request when `scripts/sync.ts` uploads a spool, so both mappings
 * live here.
 */
import type { FinishStatus } from "../protocol/wire.ts";
import type { ImageMeta, LogLine, MetricPoint } from "../protocol/schemas.ts";

export type Batch =
  | { kind: "start"; config?: Record<string, unknown>; environment?: Record<string, unknown>; commandLine?: string }
  | { kind: "metrics"; points: MetricPoint[] }
  | { kind: "logs"; writer?: string; lines: LogLine[] }
  | { kind: "image"; meta: ImageMeta; data: Uint8Array }
  | { kind: "finish"; status: FinishStatus; error?: string };

/** The socket.io event and its payload for a batch (lib/server/ingest/ingest-namespace.ts). */
export function socketEvent(batch: Batch): { event: string; payload: unknown } {
  switch (batch.kind) {
    case "start":
      return { event: "run:start", payload: { config: batch.config, environment: batch.environment, commandLine: batch.commandLine } };
    case "metrics":
      return { event: "metrics", payload: { points: batch.points } };
    case "logs":
      return { event: "logs", payload: { writer: batch.writer, lines: batch.lines } };
    case "image":
      return { event: "image", payload: { meta: batch.meta, data: batch.data } };
    case "finish":
      return { event: "run:finish", payload: { status: batch.status, error: batch.error } };
  }
}

/** The HTTP request for a batch: path below /api/runs/:id and its body. */
export function httpRequest(batch: Batch): { path: string; body: string | FormData; contentType?: string } {
  if (batch.kind === "image") {
    const form = new FormData();
    form.set("meta", JSON.stringify(batch.meta));
    form.set("file", new Blob([batch.data as Uint8Array<ArrayBuffer>]), "image");
    return { path: "images", body: form };
  }
  const { event, payload } = socketEvent(batch);
  const path = { "run:start": "start", metrics: "metrics", logs: "logs", "run:finish": "finish" }[event]!;
  return { path, body: JSON.stringify(payload), contentType: "application/json" };
}

/** Rough size in memory and on the wire, for the buffer bound. */
export function batchBytes(batch: Batch): number {
  switch (batch.kind) {
    case "metrics":
      return batch.points.reduce((n, p) => n + p.key.length + 48, 64);
    case "logs":
      return batch.lines.reduce((n, l) => n + l.text.length + 48, 64);
    case "image":
      return batch.data.byteLength + (batch.meta.caption?.length ?? 0) + 256;
    default:
      return JSON.stringify(batch).length;
  }
}

/** One JSON line of a spool file; image bytes as base64. */
export function encodeBatch(batch: Batch): string {
  const record = batch.kind === "image" ? { ...batch, data: Buffer.from(batch.data).toString("base64") } : batch;
  return JSON.stringify(record) + "\n";
}

export function decodeBatch(line: string): Batch {
  const record = JSON.parse(line) as Batch | (Omit<Extract<Batch, { kind: "image" }>, "data"> & { data: string });
  if (record.kind === "image") return { ...record, data: new Uint8Array(Buffer.from(record.data as string, "base64")) };
  return record as Batch;
}
