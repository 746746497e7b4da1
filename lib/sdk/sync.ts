/**
 * Uploads spools left behind by runs that could not reach the server: creates
 * the run first if it only existed locally, sends every batch after the
 * recorded offset over HTTP (the final status last), advancing the offset as
 * the server confirms, and removes the spool once all of it is in. Running it
 * again after an interruption resumes where it stopped; the server ignores
 * anything it already has, so nothing is stored twice.
 */
import fs from "node:fs";
import path from "node:path";
import type { Batch } from "./batch.ts";
import { createRunOverHttp, RejectedError, uploadBatch } from "./http.ts";
import { errorText, Reporter, reportRefusals } from "./report.ts";
import { isSpoolDir, readBatches, readManifest, readOffset, removeSpool, writeManifest, writeOffset } from "./spool.ts";
import { sdkEnv } from "./env.ts";

export interface SyncOptions {
  /** Overrides the server url recorded in the spool. */
  url?: string;
  /** For runs created while offline; default env INKSTONE_API_KEY. */
  apiKey?: string;
  /** Tries per batch against network failures and server errors. */
  attempts?: number;
  log?: (line: string) => void;
}

export interface SyncResult {
  dir: string;
  runId?: string;
  uploaded: number;
  /** Batches the server refused as invalid (reported and skipped, as the live SDK does). */
  rejected: number;
  /** Why the spool could not be uploaded completely; it is kept then. */
  error?: string;
}

/** The spool directories under `dir`: `dir` itself if it is one, else its subdirectories that are. */
export function findSpools(dir: string): string[] {
  if (isSpoolDir(dir)) return [dir];
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && isSpoolDir(path.join(dir, e.name)))
    .map((e) => path.join(dir, e.name))
    .sort();
}

export async function syncSpool(dir: string, opts: SyncOptions = {}): Promise<SyncResult> {
  const log = opts.log ?? (() => {});
  const result: SyncResult = { dir, uploaded: 0, rejected: 0 };
  try {
    const manifest = readManifest(dir);
    const url = (opts.url ?? manifest.url).replace(/\/+$/, "");
    if (!manifest.runId || !manifest.token) {
      if (!manifest.create) throw new Error("run.json names no run and no way to create one");
      const created = await createRunOverHttp(url, manifest.create, opts.apiKey ?? sdkEnv("INKSTONE_API_KEY"));
      // Recorded before uploading, so an interrupted sync does not create the run twice.
      Object.assign(manifest, { runId: created.id, token: created.token });
      writeManifest(dir, manifest);
      log(`created run ${created.id} on ${url}`);
    }
    const { runId, token } = manifest as { runId: string; token: string };
    const reporter = new Reporter(log);
    result.runId = runId;

    const send = async (batch: Batch) => {
      try {
        const answer = await withRetries(() => uploadBatch(url, runId, token, batch), opts.attempts ?? 5);
        reportRefusals(reporter, batch.kind, answer);
        result.uploaded++;
      } catch (err) {
        // A refused batch is skipped like the SDK skips it; a refused run stops the sync.
        if (!(err instanceof RejectedError) || err.status === 401 || err.status === 404) throw err;
        result.rejected++;
        log(`skipped a ${batch.kind} batch the server refused: ${err.message}`);
      }
    };
    // The final status goes last, after every batch.
    const finishes: Batch[] = [];
    let offset = readOffset(dir);
    for (;;) {
      const chunk = await readBatches(dir, offset, 8 * 1024 * 1024, {
        onCorrupt: (at) => log(`skipped an unreadable line at byte ${at}`),
      });
      if (chunk.length === 0) break;
      for (const { batch, end } of chunk) {
        if (batch.kind === "finish") finishes.push(batch);
        else await send(batch);
        // The finish is re-read on a resumed sync: the offset only passes it once it is sent.
        if (finishes.length === 0) writeOffset(dir, (offset = end));
        else offset = end;
      }
    }
    for (const batch of finishes.slice(-1)) await send(batch);
    removeSpool(dir);
    log(`run ${runId}: uploaded ${result.uploaded} batches${result.rejected ? `, ${result.rejected} refused` : ""}`);
  } catch (err) {
    result.error = errorText(err);
    log(`${dir}: ${result.error}; the spool is kept, run sync again later`);
  }
  return result;
}

async function withRetries<T>(fn: () => Promise<T>, attempts: number): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof RejectedError || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, Math.min(8_000, 250 * 2 ** i)));
    }
  }
}
