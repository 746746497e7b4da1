/**
 * Sampling from a run's final model on the server (the tutorial's predict.py
 * step): `npm run sample` as a child process, one at a time per run, its PNG
 * stored as a run image under key "samples" captioned with the prompt
 * (storeImage publishes it to the run page live). The job's state lives in
 * this server's memory, reached through globalThis because route handlers
 * are bundled separately from the server.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { SAMPLES_KEY } from "@/lib/protocol/wire";
import { nameText } from "@/lib/protocol/schemas";
import { storeImage } from "@/lib/server/ingest/store";
import { spawnTrainerProcess } from "@/lib/server/launcher/command";
import { conflict } from "@/lib/server/http/errors";
import { prisma } from "@/lib/server/db/prisma";
import { LIMITS } from "@/lib/protocol/wire";
import { parseInput } from "@/lib/server/http/validate";
import { hasFinalModel, runOutputDir } from "./output";

/** `npm run sample`, silent so a failure reports the sampler's own words, not npm's banner. */
const SAMPLE_COMMAND = ["npm", "run", "--silent", "sample", "--"];
/** A sampler still running after this long is stopped (SD1.5 on a CPU takes minutes, not an hour). */
const SAMPLE_TIMEOUT_MS = 60 * 60 * 1000;
/** Output kept for the error message of a failed sampler. */
const OUTPUT_TAIL_CHARS = 4000;

export const sampleRequestSchema = z.object({
  prompt: nameText(LIMITS.captionLength, "a prompt").pipe(z.string().trim().min(1, "enter a prompt")),
  negativePrompt: nameText(LIMITS.captionLength, "a prompt").optional(),
  steps: z.number().int().min(1).max(1000).optional(),
  guidanceScale: z.number().finite().min(0).max(100).optional(),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
});
export type SampleRequest = z.output<typeof sampleRequestSchema>;

export interface SampleJob {
  state: "running" | "finished" | "failed";
  prompt: string;
  startedAt: string;
  endedAt: string | null;
  error: string | null;
  imageId: string | null;
}

const holder = globalThis as unknown as { __inkstoneSampleJobs?: Map<string, SampleJob> };
const jobs = (holder.__inkstoneSampleJobs ??= new Map<string, SampleJob>());

/** The run's latest sampling job on this server, if any. */
export function sampleJob(runId: string): SampleJob | null {
  return jobs.get(runId) ?? null;
}

/**
 * Starts sampling and returns at once; the image arrives as a live "image"
 * event and the job's state says how it ended. 409 while one runs for this run.
 */
export async function startSample(runId: string, input: unknown): Promise<SampleJob> {
  const req = parseInput(sampleRequestSchema, input);
  const dir = await runOutputDir(runId);
  if (!dir) throw conflict("this run's config has no output_dir, so there is no final model to sample from");
  if (!hasFinalModel(dir.path)) throw conflict(`no final model yet: ${dir.path}/model_index.json is written when training ends`);
  // Checked and claimed in one synchronous step, so two requests cannot both start.
  if (jobs.get(runId)?.state === "running") throw conflict("a sample is already being generated for this run; wait for it to finish");
  const job: SampleJob = { state: "running", prompt: req.prompt, startedAt: new Date().toISOString(), endedAt: null, error: null, imageId: null };
  jobs.set(runId, job);
  void runSampler(runId, dir.path, req).then(
    (imageId) => Object.assign(job, { state: "finished", imageId, endedAt: new Date().toISOString() }),
    (err: unknown) => Object.assign(job, { state: "failed", error: err instanceof Error ? err.message : String(err), endedAt: new Date().toISOString() }),
  );
  return { ...job };
}

async function runSampler(runId: string, modelDir: string, req: SampleRequest): Promise<string> {
  const tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), "inkstone-sample-"));
  try {
    const out = path.join(tmp, "sample.png");
    await runCommand([...SAMPLE_COMMAND, ...samplerFlags(modelDir, req, out)]);
    const bytes = new Uint8Array(await fs.promises.readFile(out));
    const { step, index } = await nextSamplePosition(runId);
    const { id } = await storeImage(runId, { key: SAMPLES_KEY, step, index, caption: req.prompt }, bytes);
    return id;
  } finally {
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }
}

/** `--flag=value` throughout, so a prompt that starts with "-" is still a value. */
function samplerFlags(modelDir: string, req: SampleRequest, out: string): string[] {
  const flags = [`--model=${modelDir}`, `--prompt=${req.prompt}`, `--out=${out}`];
  if (req.negativePrompt) flags.push(`--negative_prompt=${req.negativePrompt}`);
  if (req.steps !== undefined) flags.push(`--steps=${req.steps}`);
  if (req.guidanceScale !== undefined) flags.push(`--guidance_scale=${req.guidanceScale}`);
  if (req.seed !== undefined) flags.push(`--seed=${req.seed}`);
  return flags;
}

/** Samples sit at the run's last logged step, numbered in the order they were made. */
async function nextSamplePosition(runId: string): Promise<{ step: number; index: number }> {
  const last = await prisma.metricPoint.aggregate({ where: { runId }, _max: { step: true } });
  const step = last._max.step ?? 0;
  const index = await prisma.runImage.count({ where: { runId, key: SAMPLES_KEY, step } });
  return { step, index };
}

/** Runs the sampler without the server's secrets; rejects with the end of its output when it fails. */
function runCommand(argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout stops npm and the sampler under it together.
    const child = spawnTrainerProcess(argv, { cwd: process.cwd(), output: "pipe", detached: true });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const timer = setTimeout(() => child.pid && process.kill(-child.pid, "SIGTERM"), SAMPLE_TIMEOUT_MS);
    timer.unref();
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`could not start the sampler: ${err.message}`));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const why = signal ? `the sampler was killed by ${signal}` : `the sampler exited with code ${code}`;
      const tail = output.trim().split("\n").slice(-10).join("\n");
      reject(new Error(tail ? `${why}:\n${tail}` : why));
    });
  });
}
