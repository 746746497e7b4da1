/**
 * A run as the training script sees it. Every logging call validates its
 * input, adds it to a batch and returns at once; problems are reported once
 * to stderr and never thrown. Batches go out every `flushIntervalMs` or when
 * one is full, through the Outbox (ordering, acknowledgements, resends, the
 * bounded buffer and the spool).
 */
import crypto from "node:crypto";
import path from "node:path";
import { sniffImageMime } from "../protocol/image-format.ts";
import { INT4_MAX, isStep, LIMITS, toWireNumber, type FinishStatus } from "../protocol/wire.ts";
import { isStorableText } from "../protocol/text.ts";
import type { CreateRunInput, LogLine, MetricPoint } from "../protocol/schemas.ts";
import type { Batch } from "./batch.ts";
import { IngestConnection } from "./connection.ts";
import { commandLine, describeEnvironment } from "./environment.ts";
import { createRunOverHttp, RejectedError } from "./http.ts";
import { Outbox } from "./outbox.ts";
import { errorText, Reporter, type WarningSink } from "./report.ts";
import { removeSpool, writeManifest, type SpoolManifest } from "./spool.ts";
import { sdkEnv } from "./env.ts";

export interface InitOptions {
  /** Server origin; default env INKSTONE_URL, else http://127.0.0.1:3000. A run launched by the server uses INKSTONE_URL. */
  url?: string;
  project: string;
  name?: string;
  config?: Record<string, unknown>;
  /** Merged over what the SDK detects itself (host, OS, Node, argv). */
  environment?: Record<string, unknown>;
  tags?: string[];
  notes?: string;
  /** Sent as `Authorization: Bearer` when creating the run; default env INKSTONE_API_KEY. */
  apiKey?: string;
  /** Root of the spool directories; a run's is `<spoolDir>/<runId>`. Default ./.inkstone/spool. */
  spoolDir?: string;
  /** Send a batch at least this often (ms). */
  flushIntervalMs?: number;
  /** Send a metrics batch once it holds this many points. */
  batchPoints?: number;
  /** Batches kept in memory, in bytes, before spilling to the spool file. */
  maxBufferBytes?: number;
  /** Batches in flight without acknowledgement. */
  window?: number;
  heartbeatIntervalMs?: number;
  /**
   * How long finish() waits without any acknowledgement before leaving the
   * rest in the spool: long enough to ride out a server or database restart.
   */
  finishTimeoutMs?: number;
  /** The most finish() waits in all, even while deliveries still progress. */
  finishMaxWaitMs?: number;
  /** Where warnings go; default stderr. */
  onWarning?: WarningSink;
}

export interface ImageOptions {
  /** Default: the step of the latest log() call. */
  step?: number;
  epoch?: number;
  caption?: string;
  /** Position within the step, e.g. which validation prompt. */
  index?: number;
}

export interface FinishResult {
  /** Everything reached the server, including the final status. */
  delivered: boolean;
  /** Where the undelivered rest waits for `npm run sync -- DIR`, when not delivered. */
  spoolDir?: string;
}

const DEFAULTS = {
  flushIntervalMs: 250,
  batchPoints: 1_000,
  maxBufferBytes: 64 * 1024 * 1024,
  window: 4,
  heartbeatIntervalMs: 10_000,
  finishTimeoutMs: 60_000,
  finishMaxWaitMs: 10 * 60_000,
  ackTimeoutMs: 60_000,
};
const LOG_BATCH_LINES = 1_000;
const LOG_BATCH_CHARS = 1024 * 1024;

export class Run {
  private step = 0;
  /** Log lines are numbered per process; this id keeps another process's numbers of the same run apart. */
  private readonly writer = crypto.randomUUID();
  private seq = 0;
  private points: MetricPoint[] = [];
  private lines: LogLine[] = [];
  private lineChars = 0;
  private closed = false;
  private finishing?: Promise<FinishResult>;
  private readonly flushTimer: NodeJS.Timeout;
  private readonly outbox: Outbox;
  private readonly connection?: IngestConnection;
  private readonly settings: typeof DEFAULTS;

  private constructor(
    /** The server's id of this run; undefined while the run exists only locally (server unreachable at init). */
    readonly id: string | undefined,
    /** The run's page, when the server created it. */
    readonly pageUrl: string | undefined,
    /** The run's spool directory (created only when needed). */
    readonly spoolDir: string,
    manifest: SpoolManifest,
    opts: InitOptions,
    private readonly report: Reporter,
  ) {
    this.settings = { ...DEFAULTS, ...definedOnly(opts) };
    const s = this.settings;
    this.outbox = new Outbox({
      dir: spoolDir,
      prepareDir: () => writeManifest(spoolDir, manifest),
      maxBytes: s.maxBufferBytes,
      window: s.window,
      canSend: () => this.connection?.connected ?? false,
      send: (batch) => this.connection!.send(batch),
      report,
    });
    if (manifest.runId && manifest.token) {
      this.connection = new IngestConnection({
        url: manifest.url,
        runId: manifest.runId,
        token: manifest.token,
        heartbeatIntervalMs: s.heartbeatIntervalMs,
        ackTimeoutMs: s.ackTimeoutMs,
        report,
        onConnect: () => this.outbox.pump(),
      });
    }
    this.outbox.push({
      kind: "start",
      config: opts.config,
      environment: { ...describeEnvironment(), ...opts.environment },
      commandLine: commandLine(),
    });
    this.flushTimer = setInterval(() => this.flush(), s.flushIntervalMs);
    this.flushTimer.unref();
  }

  /**
   * Creates the run on the server (or attaches to the one named by
   * INKSTONE_RUN_ID and INKSTONE_RUN_TOKEN when the server launched this
   * process). When the server cannot be reached the run is kept locally and
   * `sync` creates it later; only a refusal (bad input or API key) throws.
   */
  static async init(opts: InitOptions): Promise<Run> {
    const report = new Reporter(opts.onWarning);
    const spoolRoot = path.resolve(opts.spoolDir ?? path.join(".inkstone", "spool"));
    const attachedId = sdkEnv("INKSTONE_RUN_ID");
    const attachedToken = sdkEnv("INKSTONE_RUN_TOKEN");
    // A launched process reports to the server that launched it, whatever the script says.
    const attached = Boolean(attachedId && attachedToken);
    const url = ((attached ? sdkEnv("INKSTONE_URL") : undefined) ?? opts.url ?? sdkEnv("INKSTONE_URL") ?? "http://127.0.0.1:3000").replace(/\/+$/, "");
    if (attachedId && attachedToken) {
      const manifest: SpoolManifest = { version: 1, url, runId: attachedId, token: attachedToken };
      return new Run(attachedId, `${url}/runs/${attachedId}`, path.join(spoolRoot, attachedId), manifest, opts, report);
    }
    const create: CreateRunInput = {
      project: opts.project,
      name: opts.name,
      config: opts.config,
      tags: opts.tags,
      notes: opts.notes,
      commandLine: commandLine(),
    };
    try {
      const created = await createRunOverHttp(url, create, opts.apiKey ?? sdkEnv("INKSTONE_API_KEY"));
      const manifest: SpoolManifest = { version: 1, url, runId: created.id, token: created.token };
      return new Run(created.id, new URL(created.url, url).toString(), path.join(spoolRoot, created.id), manifest, opts, report);
    } catch (err) {
      if (err instanceof RejectedError) throw new Error(`inkstone: could not create the run: ${err.message}`);
      const localId = `local-${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}-${crypto.randomBytes(4).toString("hex")}`;
      const dir = path.join(spoolRoot, localId);
      report.emit(`cannot reach ${url} (${errorText(err)}); logging to ${dir}, upload it later with: npm run sync -- ${dir}`);
      return new Run(undefined, undefined, dir, { version: 1, url, create }, opts, report);
    }
  }

  /** Adds to the run's config (merged on the server), e.g. values known only once training has started. */
  updateConfig(config: Record<string, unknown>): void {
    if (!this.accepting("updateConfig")) return;
    this.outbox.push({ kind: "start", config });
    this.outbox.pump();
  }

  /** Logs scalar metrics at `step` (default: one past the previous call's step). */
  log(metrics: Record<string, number>, step?: number): void {
    if (!this.accepting("log")) return;
    try {
      const s = step ?? this.step;
      if (!isStep(s)) {
        this.report.once(`step:${s}`, `log(): step must be an integer in [0, ${INT4_MAX}], got ${s}; skipped`);
        return;
      }
      this.step = Math.max(this.step, s + 1);
      const time = Date.now();
      for (const [key, value] of Object.entries(metrics)) {
        if (!this.validKey(key, "log")) continue;
        if (typeof value !== "number") {
          this.report.once(`type:${key}`, `log(): "${key}" is a ${typeof value}, not a number; skipped`);
          continue;
        }
        this.points.push({ key, step: s, value: toWireNumber(value), time });
        if (this.points.length >= this.settings.batchPoints) this.flushMetrics();
      }
    } catch (err) {
      this.report.once(`log:${errorText(err)}`, `log() failed: ${errorText(err)}`);
    }
  }

  /** Logs a PNG, JPEG or WebP image; the bytes are copied, so the caller may reuse its buffer. */
  logImage(key: string, bytes: Uint8Array, opts: ImageOptions = {}): void {
    if (!this.accepting("logImage") || !this.validKey(key, "logImage")) return;
    try {
      const step = opts.step ?? Math.max(0, this.step - 1);
      const problem =
        !(bytes instanceof Uint8Array) || bytes.byteLength === 0
          ? "no image bytes"
          : bytes.byteLength > LIMITS.imageBytes
            ? `${bytes.byteLength} bytes is over the ${LIMITS.imageBytes}-byte limit`
            : !sniffImageMime(bytes)
              ? "not a PNG, JPEG or WebP image"
              : !isStep(step)
                ? `step ${step} is not an integer in [0, ${INT4_MAX}]`
                : opts.index !== undefined && !(Number.isInteger(opts.index) && opts.index >= 0 && opts.index <= LIMITS.imageIndex)
                  ? `index ${opts.index} is not an integer in [0, ${LIMITS.imageIndex}]`
                  : undefined;
      if (problem) {
        this.report.once(`image:${key}:${problem}`, `logImage("${key}"): ${problem}; skipped`);
        return;
      }
      const caption = opts.caption?.slice(0, LIMITS.captionLength);
      const epoch = opts.epoch !== undefined && Number.isInteger(opts.epoch) && opts.epoch >= 0 ? opts.epoch : undefined;
      this.outbox.push({
        kind: "image",
        meta: { key, step, epoch, index: opts.index ?? 0, caption, time: Date.now() },
        data: Uint8Array.from(bytes),
      });
      this.outbox.pump();
    } catch (err) {
      this.report.once(`logImage:${errorText(err)}`, `logImage() failed: ${errorText(err)}`);
    }
  }

  /** Logs console output; each line of `text` becomes one log line. */
  logText(text: string, stream: "stdout" | "stderr" = "stdout"): void {
    if (!this.accepting("logText")) return;
    try {
      const time = Date.now();
      const parts = String(text).split(/\r?\n/);
      if (parts.length > 1 && parts.at(-1) === "") parts.pop();
      for (const part of parts) {
        // Over-long lines are cut into pieces rather than refused.
        for (let at = 0; at === 0 || at < part.length; at += LIMITS.logLineLength) {
          const piece = part.slice(at, at + LIMITS.logLineLength);
          this.lines.push({ seq: this.seq++, stream: stream === "stderr" ? "stderr" : "stdout", text: piece, time });
          this.lineChars += piece.length;
          if (this.lines.length >= LOG_BATCH_LINES || this.lineChars >= LOG_BATCH_CHARS) this.flushLogs();
        }
      }
    } catch (err) {
      this.report.once(`logText:${errorText(err)}`, `logText() failed: ${errorText(err)}`);
    }
  }

  /**
   * Sends what is buffered, reports the final status and waits for the
   * server to confirm everything. If it does not within `finishTimeoutMs` of
   * silence (or `finishMaxWaitMs` in all), what is left stays in the spool
   * for `npm run sync -- DIR`.
   * Never rejects; calling it again returns the same result.
   */
  finish(status: FinishStatus = "finished", error?: string): Promise<FinishResult> {
    this.finishing ??= this.close(status, error).catch((err: unknown) => {
      this.report.emit(`finish() failed: ${errorText(err)}; data may remain in ${this.spoolDir}`);
      return { delivered: false, spoolDir: this.spoolDir };
    });
    return this.finishing;
  }

  private async close(status: FinishStatus, error: string | undefined): Promise<FinishResult> {
    this.closed = true;
    clearInterval(this.flushTimer);
    this.flush();
    this.outbox.push({ kind: "finish", status, ...(error !== undefined ? { error: String(error).slice(0, 100_000) } : {}) });
    const delivered = this.connection && !this.connection.refused ? await this.outbox.drain(this.settings.finishTimeoutMs, this.settings.finishMaxWaitMs) : false;
    this.connection?.close();
    if (delivered) {
      removeSpool(this.spoolDir);
      return { delivered: true };
    }
    const dir = await this.outbox.persist();
    this.report.emit(`the server did not confirm everything; the rest is kept in ${dir}. Upload it with: npm run sync -- ${dir}`);
    return { delivered: false, spoolDir: dir };
  }

  /** Bytes logged and not yet confirmed by the server (in memory; spilled batches not counted). */
  get bufferedBytes(): number {
    return this.outbox.bufferedBytes + this.points.length * 48 + this.lineChars;
  }

  /** Hands the buffered points and lines to the outbox and sends what it can. */
  flush(): void {
    this.flushMetrics();
    this.flushLogs();
    this.outbox.pump();
  }

  private flushMetrics(): void {
    if (!this.points.length) return;
    this.push({ kind: "metrics", points: this.points });
    this.points = [];
  }

  private flushLogs(): void {
    if (!this.lines.length) return;
    this.push({ kind: "logs", writer: this.writer, lines: this.lines });
    this.lines = [];
    this.lineChars = 0;
  }

  private push(batch: Batch): void {
    try {
      this.outbox.push(batch);
    } catch (err) {
      this.report.once(`push:${errorText(err)}`, `could not queue a ${batch.kind} batch: ${errorText(err)}`);
    }
  }

  private accepting(method: string): boolean {
    if (!this.closed) return true;
    this.report.once(`closed:${method}`, `${method}() after finish() is ignored`);
    return false;
  }

  private validKey(key: string, method: string): boolean {
    if (typeof key === "string" && key.length > 0 && key.length <= LIMITS.keyLength && isStorableText(key)) return true;
    this.report.once(
      `key:${key}`,
      `${method}(): key must be 1 to ${LIMITS.keyLength} characters without NUL bytes or unpaired surrogates (${JSON.stringify(String(key).slice(0, 40))}); skipped`,
    );
    return false;
  }
}

function definedOnly(opts: InitOptions): Partial<typeof DEFAULTS> {
  const out: Partial<typeof DEFAULTS> = {};
  for (const k of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    const v = (opts as unknown as Partial<typeof DEFAULTS>)[k];
    if (typeof v === "number" && v > 0) out[k] = v;
  }
  return out;
}
