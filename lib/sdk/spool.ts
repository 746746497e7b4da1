/**
 * A run's spool directory: `run.json` (where and as which run to upload),
 * `spool.jsonl` (batches, append-only, one JSON line each) and `spool.offset`
 * (bytes of spool.jsonl already confirmed by the server). The SDK spills to it
 * when its memory buffer is full and leaves it behind when the server cannot
 * be reached at finish; `scripts/sync.ts` uploads what lies after the offset.
 */
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { decodeBatch, encodeBatch, type Batch } from "./batch.ts";
import type { CreateRunInput } from "../protocol/schemas.ts";

export interface SpoolManifest {
  version: 1;
  url: string;
  /** Absent while the run exists only locally: sync creates it from `create` first. */
  runId?: string;
  token?: string;
  create?: CreateRunInput;
}

export interface SpooledBatch {
  batch: Batch;
  /** Byte offset just past this batch's line. */
  end: number;
}

const MANIFEST = "run.json";
const DATA = "spool.jsonl";
const OFFSET = "spool.offset";

export function isSpoolDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, MANIFEST));
}

export function readManifest(dir: string): SpoolManifest {
  return JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), "utf8")) as SpoolManifest;
}

/** Written atomically and readable only by its owner: it holds the run's ingest token. */
export function writeManifest(dir: string, manifest: SpoolManifest): void {
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `${MANIFEST}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(manifest, null, 2) + "\n", { mode: 0o600 });
  fs.renameSync(tmp, path.join(dir, MANIFEST));
}

export function readOffset(dir: string): number {
  try {
    return Number(fs.readFileSync(path.join(dir, OFFSET), "utf8")) || 0;
  } catch {
    return 0;
  }
}

export function writeOffset(dir: string, offset: number): void {
  const tmp = path.join(dir, `${OFFSET}.tmp`);
  fs.writeFileSync(tmp, String(offset));
  fs.renameSync(tmp, path.join(dir, OFFSET));
}

/** Reads whole lines from `offset` until about `maxBytes` or `limit` batches (always at least one line when there is one). */
export async function readBatches(
  dir: string,
  offset: number,
  maxBytes: number,
  opts: { limit?: number; onCorrupt?: (offset: number) => void } = {},
): Promise<SpooledBatch[]> {
  const limit = opts.limit ?? Infinity;
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(path.join(dir, DATA), "r");
  } catch {
    return [];
  }
  try {
    const out: SpooledBatch[] = [];
    let chunk = Buffer.alloc(256 * 1024);
    // `pending` holds the bytes read from `pos` on that do not yet end a line.
    let pos = offset;
    let pending = Buffer.alloc(0);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, pos + pending.length);
      if (bytesRead === 0) return out;
      const data = Buffer.concat([pending, chunk.subarray(0, bytesRead)]);
      let start = 0;
      for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, start)) {
        // A line cut short by a crash mid-append is skipped, not fatal.
        try {
          out.push({ batch: decodeBatch(data.subarray(start, nl).toString("utf8")), end: pos + nl + 1 });
        } catch {
          opts.onCorrupt?.(pos + start);
        }
        start = nl + 1;
        if (pos + start - offset >= maxBytes || out.length >= limit) return out;
      }
      pos += start;
      pending = Buffer.from(data.subarray(start));
      // A line longer than the chunk: read more at a time.
      if (pending.length >= chunk.length) chunk = Buffer.alloc(chunk.length * 2);
    }
  } finally {
    await handle.close();
  }
}

/**
 * The appending side, used by a live run. Appends are queued so the caller
 * never waits on the disk; `written` counts what has reached the file.
 */
export class SpoolWriter {
  /** Bytes handed to append() so far, including those still being written. */
  appended = 0;
  /** Bytes known to be in the file. */
  written = 0;
  private chain: Promise<void> = Promise.resolve();
  private failed = false;

  constructor(
    readonly dir: string,
    private readonly onError: (err: unknown, lost: Batch[]) => void,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    this.appended = this.written = spoolSize(dir);
  }

  append(batches: Batch[]): void {
    if (batches.length === 0) return;
    const text = batches.map(encodeBatch).join("");
    const bytes = Buffer.byteLength(text);
    this.appended += bytes;
    this.chain = this.chain.then(async () => {
      try {
        if (this.failed) throw new Error("an earlier write failed");
        await fsp.appendFile(path.join(this.dir, DATA), text);
        this.written += bytes;
      } catch (err) {
        this.failed = true;
        this.appended -= bytes;
        this.onError(err, batches);
      }
    });
  }

  /** Resolves once every append so far has reached the file. */
  flushed(): Promise<void> {
    return this.chain;
  }

  get broken(): boolean {
    return this.failed;
  }
}

/** Bytes in the spool file, 0 when there is none. */
export function spoolSize(dir: string): number {
  try {
    return fs.statSync(path.join(dir, DATA)).size;
  } catch {
    return 0;
  }
}

export function removeSpool(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
