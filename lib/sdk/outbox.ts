/**
 * The SDK's delivery queue. Batches leave in the order they were logged, a
 * few at a time, and each one stays queued until the server acknowledges it:
 * a disconnect puts the unacknowledged ones back at the front to be resent
 * (the server stores each point, line and image once, so resending is safe).
 *
 * Memory is bounded: past `maxBytes`, new batches are appended to the spool
 * file instead, and every later batch follows them there until the spool has
 * been read back, so the order holds. What is left when the run ends
 * undelivered is written to the spool for `scripts/sync.ts`.
 */
import { batchBytes, type Batch } from "./batch.ts";
import { readBatches, readOffset, SpoolWriter, spoolSize, writeOffset } from "./spool.ts";
import { errorText, type Reporter } from "./report.ts";

export type SendResult = { ok: true } | { ok: false; error: string; retry: boolean };

export interface OutboxOptions {
  /** The run's spool directory; created on first use. */
  dir: string;
  /** Called before the spool is first written, to record which run it belongs to. */
  prepareDir: () => void;
  maxBytes: number;
  /** Batches sent and not yet acknowledged at any time. */
  window: number;
  canSend: () => boolean;
  send: (batch: Batch) => Promise<SendResult>;
  report: Reporter;
}

interface Entry {
  id: number;
  batch: Batch;
  bytes: number;
  /** For a batch read back from the spool: the file offset just past it. */
  spoolEnd?: number;
  done?: boolean;
}

/** Short, so that live delivery resumes within seconds of the server answering again. */
const MAX_BACKOFF_MS = 2_000;

export class Outbox {
  private memory: Entry[] = [];
  private inflight = new Map<number, Entry>();
  private memoryBytes = 0;
  private nextId = 0;
  private writer?: SpoolWriter;
  /** True while the spool holds batches not yet read back: new batches must queue behind them. */
  private spilling = false;
  private readPos = 0;
  /** Batches read back from the spool, in file order, until the ones before them are acknowledged. */
  private fromSpool: Entry[] = [];
  private ackedOffset = 0;
  private pumping = false;
  private backoffMs = 0;
  private backoffTimer?: NodeJS.Timeout;
  /** When a batch was last acknowledged (or the last wait began). */
  private lastProgressAt = Date.now();

  constructor(private readonly opts: OutboxOptions) {
    // Leftovers of an earlier process of the same run go out first.
    const offset = readOffset(opts.dir);
    if (spoolSize(opts.dir) > offset) {
      this.spool();
      this.readPos = this.ackedOffset = offset;
      this.spilling = true;
    }
  }

  push(batch: Batch): void {
    const entry: Entry = { id: this.nextId++, batch, bytes: batchBytes(batch) };
    const writer = this.spilling || this.memoryBytes + entry.bytes > this.opts.maxBytes ? this.spool() : undefined;
    if (writer) {
      writer.append([batch]);
      this.spilling = true;
      return;
    }
    this.memory.push(entry);
    this.memoryBytes += entry.bytes;
  }

  /** Nothing waits in memory, on the wire or in the spool. */
  get empty(): boolean {
    return this.memory.length === 0 && this.inflight.size === 0 && !this.spilling;
  }

  get bufferedBytes(): number {
    return this.memoryBytes;
  }

  /** Sends what it can now; called after pushes, acks and reconnects. */
  pump(): void {
    if (this.pumping || this.backoffTimer) return;
    this.pumping = true;
    this.pumpLoop()
      .catch((err) => this.opts.report.once(`pump:${errorText(err)}`, `sending failed: ${errorText(err)}`))
      .finally(() => {
        this.pumping = false;
      });
  }

  private async pumpLoop(): Promise<void> {
    while (this.opts.canSend() && this.inflight.size < this.opts.window && !this.backoffTimer) {
      if (this.memory.length === 0 && !(await this.readBack())) return;
      const entry = this.memory.shift();
      if (!entry) return;
      this.inflight.set(entry.id, entry);
      this.opts.send(entry.batch).then(
        (result) => this.settle(entry, result),
        (err: unknown) => this.settle(entry, { ok: false, error: errorText(err), retry: true }),
      );
    }
  }

  private settle(entry: Entry, result: SendResult): void {
    this.inflight.delete(entry.id);
    if (result.ok) {
      this.backoffMs = 0;
      this.complete(entry);
    } else if (result.retry) {
      this.requeue(entry);
      // A server error (as opposed to a lost connection) waits before the next try.
      if (this.opts.canSend()) this.backOff();
    } else {
      this.opts.report.emit(`the server rejected a ${entry.batch.kind} batch, dropping it: ${result.error}`);
      this.complete(entry);
    }
    this.pump();
  }

  private complete(entry: Entry): void {
    this.memoryBytes -= entry.bytes;
    this.lastProgressAt = Date.now();
    if (entry.spoolEnd === undefined) return;
    entry.done = true;
    while (this.fromSpool[0]?.done) this.ackedOffset = this.fromSpool.shift()!.spoolEnd!;
  }

  private requeue(entry: Entry): void {
    let i = 0;
    while (i < this.memory.length && this.memory[i].id < entry.id) i++;
    this.memory.splice(i, 0, entry);
  }

  private backOff(): void {
    this.backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(500, this.backoffMs * 2));
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = undefined;
      this.pump();
    }, this.backoffMs);
    this.backoffTimer.unref();
  }

  /** Moves the next stretch of the spool into memory; false when the spool has nothing unread. */
  private async readBack(): Promise<boolean> {
    const writer = this.writer;
    if (!this.spilling || !writer) return false;
    if (this.readPos >= writer.written) await writer.flushed();
    const read = await readBatches(this.opts.dir, this.readPos, Math.max(1, this.opts.maxBytes / 4 - this.memoryBytes), {
      onCorrupt: (at) => this.opts.report.once(`corrupt:${at}`, `skipped an unreadable line at byte ${at} of the spool in ${this.opts.dir}`),
    });
    for (const { batch, end } of read) {
      const entry: Entry = { id: this.nextId++, batch, bytes: batchBytes(batch), spoolEnd: end };
      this.memory.push(entry);
      this.memoryBytes += entry.bytes;
      this.fromSpool.push(entry);
      this.readPos = end;
    }
    // Caught up with everything appended (a line cut short by an old crash counts as read).
    if (read.length === 0 || this.readPos >= writer.appended) {
      if (writer.appended === writer.written) {
        this.readPos = Math.max(this.readPos, writer.written);
        this.spilling = false;
      }
    }
    return this.memory.length > 0;
  }

  /**
   * Resolves true once everything is acknowledged; false after `stallMs`
   * without any acknowledgement, or after `maxMs` in all.
   */
  async drain(stallMs: number, maxMs: number): Promise<boolean> {
    const began = (this.lastProgressAt = Date.now());
    this.pump();
    while (!this.empty) {
      const now = Date.now();
      if (now - this.lastProgressAt > stallMs || now - began > maxMs) return false;
      await new Promise((r) => setTimeout(r, 50));
      this.pump();
    }
    return true;
  }

  /** Writes every undelivered batch to the spool and returns its directory. */
  async persist(): Promise<string> {
    clearTimeout(this.backoffTimer);
    const writer = this.spool();
    const pending = [...this.inflight.values(), ...this.memory].sort((a, b) => a.id - b.id);
    // Batches read back from the spool are still in it, after the acknowledged offset.
    writer.append(pending.filter((e) => e.spoolEnd === undefined).map((e) => e.batch));
    await writer.flushed();
    writeOffset(this.opts.dir, this.ackedOffset);
    this.memory = [];
    this.inflight.clear();
    return this.opts.dir;
  }

  private spool(): SpoolWriter {
    if (this.writer && !this.writer.broken) return this.writer;
    this.opts.prepareDir();
    this.writer = new SpoolWriter(this.opts.dir, (err, batches) => {
      this.opts.report.emit(`cannot write the spool in ${this.opts.dir} (${errorText(err)}); keeping its batches in memory`);
      for (const batch of batches) {
        const entry: Entry = { id: this.nextId++, batch, bytes: batchBytes(batch) };
        this.memory.push(entry);
        this.memoryBytes += entry.bytes;
      }
    });
    return this.writer;
  }
}
