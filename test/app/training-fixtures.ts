/**
 * What the real-training tests share: a browser session that starts runs
 * from the form, the tiny demo's form values made as short as possible, waiting on the database, and the counts a finished run
 * must add up to (read from the config the trainer reported, with its derived
 * epoch and step counts).
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before } from "node:test";
import type { Page } from "playwright-core";
import { DEFAULT_VALIDATION_PROMPTS, PRESETS } from "@/lib/server/launcher/run-form";
import { prisma } from "@/lib/server/db/prisma";
import { killLeftoverLaunches } from "../helpers/launches";
import { openSession, type SignedInSession } from "./dashboard-fixtures";

/**
 * The tiny preset at its fastest that still has two validation epochs: 8
 * images in batches of 4 = 2 optimizer steps per epoch, resolution 32, two of
 * the seed's prompts (each costs 20 denoising steps per validation).
 */
export const FAST_TINY = { max_train_steps: 4, train_batch_size: 4, validation_epochs: 1, validation_prompts: DEFAULT_VALIDATION_PROMPTS.slice(0, 2) };

/** A POST /api/launches body: the tiny preset with `overrides`. */
export function tinyLaunchBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...PRESETS.tiny.values, ...FAST_TINY, project: "tiny-e2e", tags: "", preset: "tiny", ...overrides };
}

/** A browser session whose tests start real training runs: a server and a page, not yet signed in; afterwards any leftover trainer is stopped and the runs' output folders removed. */
export interface TrainingSession extends SignedInSession {
  outputs: string[];
}

export function trainingSession(skip: string | undefined, viewport: { width: number; height: number }): TrainingSession {
  const session = { outputs: [] as string[] } as TrainingSession;
  before(async () => {
    if (skip) return;
    await openSession(session, viewport);
  });
  after(async () => {
    await killLeftoverLaunches();
    await session.browser?.close();
    await session.server?.close();
    removeOutputs(session.outputs);
  });
  return session;
}

/** Clicks the filled-in form's Start run and waits for the run page: the new run's id (its output folder is removed after the tests). */
export async function startFromForm(page: Page, outputs: string[]): Promise<string> {
  await Promise.all([page.waitForURL((u) => /^\/runs\/[^/]+$/.test(u.pathname) && u.pathname !== "/runs/new", { timeout: 30_000 }), page.getByRole("button", { name: "Start run" }).click()]);
  const id = new URL(page.url()).pathname.split("/").pop()!;
  outputs.push(path.resolve("data", "outputs", id));
  return id;
}

export const runStatus = (id: string) => prisma.run.findUniqueOrThrow({ where: { id }, select: { status: true, error: true } });
export const trainLossCount = (id: string) => prisma.metricPoint.count({ where: { runId: id, key: "train_loss" } });

/** The trainer's config as it reported it: the options plus derived counts. */
export async function reportedConfig(id: string): Promise<{ max_train_steps: number; num_train_epochs: number; validation_epochs: number; validation_prompts: string[]; output_dir: string; logging_dir: string }> {
  const run = await prisma.run.findUniqueOrThrow({ where: { id }, select: { config: true } });
  const config = run.config as Record<string, unknown>;
  for (const key of ["max_train_steps", "num_train_epochs", "validation_epochs", "validation_prompts", "output_dir", "logging_dir"]) {
    assert.ok(config[key] !== undefined, `the trainer reported ${key} in the run's config`);
  }
  return config as never;
}

/** How many epochs validate: those the trainer's `epoch % validation_epochs === 0` picks. */
export function validationEpochs(config: { num_train_epochs: number; validation_epochs: number }): number {
  return Array.from({ length: config.num_train_epochs }, (_, e) => e).filter((e) => e % config.validation_epochs === 0).length;
}

/**
 * A finished run adds up: one train_loss per optimizer step (steps 1..N),
 * one validation image per prompt and validation epoch, none twice, and the
 * console lines numbered 0..n-1 without a gap.
 */
export async function assertRunAddsUp(id: string): Promise<{ steps: number; images: number; logLines: number }> {
  const config = await reportedConfig(id);
  const steps = await prisma.metricPoint.findMany({ where: { runId: id, key: "train_loss" }, select: { step: true }, orderBy: { step: "asc" } });
  assert.deepEqual(
    steps.map((s) => s.step),
    Array.from({ length: config.max_train_steps }, (_, i) => i + 1),
    "one train_loss per optimizer step",
  );
  const images = await prisma.runImage.findMany({ where: { runId: id, key: "validation" }, select: { epoch: true, index: true } });
  assert.equal(images.length, config.validation_prompts.length * validationEpochs(config), "one image per prompt and validation epoch");
  assert.equal(new Set(images.map((i) => `${i.epoch}/${i.index}`)).size, images.length, "no image stored twice");
  const seqs = await prisma.logLine.findMany({ where: { runId: id }, select: { seq: true }, orderBy: { seq: "asc" } });
  assert.ok(seqs.length > 0, "console output was stored");
  assert.deepEqual(
    seqs.map((s) => s.seq),
    seqs.map((_, i) => i),
    "console lines 0..n-1 without a gap",
  );
  return { steps: steps.length, images: images.length, logLines: seqs.length };
}

/** The run's output folder, resolved like the launcher (relative to the server's working directory). */
export async function outputDir(id: string): Promise<string> {
  return path.resolve((await reportedConfig(id)).output_dir);
}

/** Removes test runs' output folders (checkpoints and final pipelines). */
export function removeOutputs(dirs: string[]): void {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
}
