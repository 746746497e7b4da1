/**
 * The whole workflow in Chromium with the real trainer: sign up, pick the tiny
 * demo preset in the form, start; train_loss points arrive live on the run
 * page's chart, then the validation images of each epoch fill the grid; the
 * run finishes. Then the environment panel names the TensorFlow.js backend,
 * the stored counts add up, and the share link shows the run read-only in a
 * fresh context. (tiny-demo-grid.screenshots.ts runs the unshortened preset for the README.)
 * The launcher generates data/tiny first when it is missing (a fresh clone).
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { PRESETS } from "@/lib/server/launcher/run-form";
import { chromiumMissing } from "../../../helpers/browser";
import { assertNotReloaded, markDocument, signUp } from "../../dashboard-fixtures";
import { FAST_TINY, assertRunAddsUp, outputDir, reportedConfig, runStatus, startFromForm, trainingSession, validationEpochs } from "../../training-fixtures";

// One CPU slot, so the form's default is the tiny demo whatever this machine has.
process.env.INKSTONE_LAUNCH_SLOTS = "cpu";
const skip = chromiumMissing();
// Includes generating data/tiny (training its VAE) on a fresh clone.
const TRAINING_TIMEOUT = 300_000;
const session = trainingSession(skip, { width: 1280, height: 860 });

test("the tiny demo from the form trains live in the browser and finishes with curves and an image grid", async (t) => {
  if (skip) return t.skip(skip);
  const { server, browser, context, page, outputs } = session;
  await signUp(page, server.url);

  // The form: the tiny demo is the default without a GPU; shorten it and start.
  await page.goto(`${server.url}/runs/new`);
  const tiny = page.getByLabel(PRESETS.tiny.label);
  assert.equal(await tiny.isChecked(), true, "the tiny demo is the default preset without a GPU");
  await tiny.check();
  assert.equal(await page.inputValue("#field-output_dir"), "", "each run gets its own output folder");
  await page.fill("#field-name", "tiny-e2e");
  await page.fill("#field-max_train_steps", String(FAST_TINY.max_train_steps));
  await page.fill("#field-train_batch_size", String(FAST_TINY.train_batch_size));
  await page.fill("#field-validation_epochs", String(FAST_TINY.validation_epochs));
  await page.fill("#field-validation_prompts", FAST_TINY.validation_prompts.join("\n"));
  const id = await startFromForm(page, outputs);
  await markDocument(page);

  // Curves: the chart appears and grows while the run is running.
  await page.getByRole("tab", { name: "Charts" }).click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="chart-train_loss"] [data-points]')?.getAttribute("data-points")) >= 1, null, {
    timeout: TRAINING_TIMEOUT,
  });
  assert.equal((await runStatus(id)).status, "running", "points arrive while the run is running");
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid="chart-train_loss"] [data-points]')?.getAttribute("data-points")) === n,
    FAST_TINY.max_train_steps,
    { timeout: TRAINING_TIMEOUT },
  );

  // Images: a column of validation images per epoch, filled in live.
  await page.getByRole("tab", { name: "Images" }).click();
  const grid = page.getByTestId("image-grid-validation");
  await grid.waitFor({ timeout: TRAINING_TIMEOUT });
  await page.getByTestId("run-status").getByText("finished").waitFor({ timeout: TRAINING_TIMEOUT });
  const config = await reportedConfig(id);
  const expectedImages = config.validation_prompts.length * validationEpochs(config);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="image-grid-validation"] tbody img').length === n, expectedImages, { timeout: 30_000 });
  assert.equal(await grid.locator("tbody tr").count(), config.validation_prompts.length, "a row per prompt");
  for (let epoch = 0; epoch < config.num_train_epochs; epoch++) await grid.locator("thead th", { hasText: `epoch ${epoch}` }).waitFor();
  for (const prompt of config.validation_prompts) await grid.getByText(prompt).first().waitFor();
  await assertNotReloaded(page);

  // What was stored adds up: one loss per optimizer step, one image per prompt and validation epoch.
  const counts = await assertRunAddsUp(id);
  assert.equal(counts.steps, FAST_TINY.max_train_steps);
  const out = await outputDir(id);
  assert.ok(out.endsWith(path.join("data", "outputs", id)), `a folder of the run's own: ${out}`);
  assert.ok(fs.existsSync(path.join(out, "model_index.json")), "the final pipeline was saved");

  // The environment panel names the TensorFlow.js backend the trainer used.
  const run = (await (await context.request.get(`${server.url}/api/runs/${id}`)).json()) as { data: { environment: { tensorflow?: { backend?: string } } } };
  const backend = run.data.environment.tensorflow?.backend;
  assert.ok(backend, "the trainer reported its backend");
  // The page got its environment with its first render (before the trainer started): reload to see it.
  await page.goto(`${server.url}/runs/${id}?tab=overview`);
  const env = page.getByTestId("environment");
  await env.getByRole("row", { name: new RegExp(`backend\\s+${backend}`) }).waitFor();

  // The share link: the same run, read-only, in a fresh context without an account.
  const res = await context.request.post(`${server.url}/api/runs/${id}/share`);
  assert.equal(res.status(), 200, await res.text());
  const link = ((await res.json()) as { data: { path: string } }).data;
  const stranger = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  try {
    const guest = await stranger.newPage();
    await guest.goto(`${server.url}${link.path}`);
    await guest.getByTestId("run-name").getByText("tiny-e2e").waitFor();
    await guest.getByText(/read-only/i).first().waitFor();
    await guest.getByTestId("run-status").getByText("finished").waitFor();
    assert.equal(await guest.getByRole("button", { name: "Cancel run" }).count(), 0, "no cancel through a share link");
    await guest.getByRole("tab", { name: "Images" }).click();
    await guest.waitForFunction((n) => document.querySelectorAll('[data-testid="image-grid-validation"] tbody img').length === n, expectedImages);
    await guest.getByRole("tab", { name: "Charts" }).click();
    await guest.waitForFunction(
      (n) => Number(document.querySelector('[data-testid="chart-train_loss"] [data-points]')?.getAttribute("data-points")) === n,
      FAST_TINY.max_train_steps,
    );
  } finally {
    await stranger.close();
  }
});
