/**
 * What a training run leaves on disk: its output_dir (from the run's stored
 * config, never from a request), the checkpoint-N folders in it, and the final
 * pipeline (model_index.json) that `npm run sample` reads.
 */
import fs from "node:fs";
import path from "node:path";
import { notFound } from "@/lib/server/http/errors";
import { prisma } from "@/lib/server/db/prisma";

export interface CheckpointInfo {
  name: string;
  step: number;
  /** Total size of the files in it. */
  bytes: number;
  modifiedAt: string;
}

export interface RunOutput {
  /** output_dir as the run's config gives it; null when the config has none. */
  configured: string | null;
  /** The folder on the server, resolved against the directory the trainer ran in. */
  path: string | null;
  exists: boolean;
  /** The final pipeline was saved (model_index.json is there). */
  finalModel: boolean;
  checkpoints: CheckpointInfo[];
  /** The command line that samples from the final model. */
  sampleCommand: string | null;
}

const CHECKPOINT = /^checkpoint-(\d+)$/;
export const EXAMPLE_PROMPT = "Lebron James with a hat";

/** The run's output folder, or null when its config names none. Throws 404 for an unknown run. */
export async function runOutputDir(runId: string): Promise<{ configured: string; path: string } | null> {
  const run = await prisma.run.findUnique({ where: { id: runId }, select: { config: true, launch: { select: { cwd: true } } } });
  if (!run) throw notFound(`run ${runId} not found`);
  const config = run.config as Record<string, unknown> | null;
  const configured = typeof config?.output_dir === "string" ? config.output_dir.trim() : "";
  if (!configured) return null;
  // A launched trainer ran in its launch's cwd; an SDK run most likely in the server's.
  return { configured, path: path.resolve(run.launch?.cwd ?? process.cwd(), configured) };
}

export async function runOutput(runId: string): Promise<RunOutput> {
  const dir = await runOutputDir(runId);
  if (!dir) return { configured: null, path: null, exists: false, finalModel: false, checkpoints: [], sampleCommand: null };
  const exists = isDirectory(dir.path);
  return {
    configured: dir.configured,
    path: dir.path,
    exists,
    finalModel: exists && hasFinalModel(dir.path),
    checkpoints: exists ? await listCheckpoints(dir.path) : [],
    sampleCommand: sampleCommandLine(dir.configured, EXAMPLE_PROMPT),
  };
}

export function hasFinalModel(dir: string): boolean {
  return fs.existsSync(path.join(dir, "model_index.json"));
}

/** checkpoint-N folders, lowest step first. */
async function listCheckpoints(dir: string): Promise<CheckpointInfo[]> {
  const entries = await fs.promises.readdir(dir, { withFileTypes: true });
  const found = entries.flatMap((e) => {
    const m = CHECKPOINT.exec(e.name);
    return e.isDirectory() && m ? [{ name: e.name, step: Number(m[1]) }] : [];
  });
  const infos = await Promise.all(
    found.map(async (c) => {
      const full = path.join(dir, c.name);
      const stat = await fs.promises.stat(full);
      return { ...c, bytes: await folderBytes(full), modifiedAt: stat.mtime.toISOString() };
    }),
  );
  return infos.sort((a, b) => a.step - b.step);
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await fs.promises.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    // Symbolic links are not followed: a checkpoint's size is what it holds itself.
    if (e.isDirectory()) total += await folderBytes(full);
    else if (e.isFile()) total += (await fs.promises.stat(full)).size;
  }
  return total;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** `npm run sample -- --model DIR --prompt "…" --out result.png`, quoted for a POSIX shell. */
export function sampleCommandLine(modelDir: string, prompt: string): string {
  return ["npm", "run", "sample", "--", "--model", modelDir, "--prompt", prompt, "--out", "result.png"].map(shellQuote).join(" ");
}

function shellQuote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `"${a.replace(/(["\\$`])/g, "\\$1")}"`;
}
