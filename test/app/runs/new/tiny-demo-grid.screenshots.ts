/**
 * The README's first screenshots: the "Tiny demo (CPU)" preset started from
 * the form exactly as a new user would (nothing shortened), run to the end;
 * its validation grid has a row per prompt and a column per validation epoch,
 * noise at epoch 0 turning into each prompt's picture by the last. Saves
 * docs/tiny-demo-grid.png and docs/tiny-demo-charts.png.
 *
 * Run by `npm run screenshots`, not by `npm test` (it is not a *.test.ts file):
 * the full run takes minutes, and what it would check is checked in the suite
 * already (the form and live grid by training.test.ts on a shortened run, the
 * learning itself by tiny_demo_learns.test.ts).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { PRESETS } from "@/lib/server/launcher/run-form";
import { chromiumMissing, screenshotPath } from "../../../helpers/browser";
import { signUp } from "../../dashboard-fixtures";
import { assertRunAddsUp, reportedConfig, startFromForm, trainingSession, validationEpochs } from "../../training-fixtures";

process.env.INKSTONE_LAUNCH_SLOTS = "cpu";
const skip = chromiumMissing();
// make-tiny (training its VAE) on a fresh clone, then the whole preset.
const RUN_TIMEOUT = 600_000;
const WIDTH = 1440;

const session = trainingSession(skip, { width: WIDTH, height: 900 });

test("the tiny demo preset, unshortened from the form, ends with a grid of every prompt by every validation epoch", { timeout: RUN_TIMEOUT + 60_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const { server, page, outputs } = session;
  await signUp(page, server.url);
  await page.goto(`${server.url}/runs/new`);
  await page.getByLabel(PRESETS.tiny.label).check();
  await page.fill("#field-name", "tiny-demo");
  const id = await startFromForm(page, outputs);
  await page.getByTestId("run-status").getByText("finished").waitFor({ timeout: RUN_TIMEOUT });

  const config = await reportedConfig(id);
  assert.equal(config.max_train_steps, Number(PRESETS.tiny.values.max_train_steps), "the preset ran unshortened");
  const counts = await assertRunAddsUp(id);
  const epochs = validationEpochs(config);
  assert.ok(epochs >= 3, `several validation epochs to watch: ${epochs}`);

  await page.getByRole("tab", { name: "Images" }).click();
  const grid = page.getByTestId("image-grid-validation");
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="image-grid-validation"] tbody img').length === n, counts.images);
  assert.equal(await grid.locator("tbody tr").count(), config.validation_prompts.length, "a row per validation prompt");
  assert.equal(await grid.locator("thead th[data-epoch]").count(), epochs, "a column per validation epoch");
  await grid.locator("thead th", { hasText: `epoch ${config.num_train_epochs - 1}` }).waitFor();
  // Every thumbnail (lazily loaded) in view and decoded before the picture is taken.
  await grid.scrollIntoViewIfNeeded();
  await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid="image-grid-validation"] tbody img')].every((i) => i.complete && i.naturalWidth > 0));
  const box = (await grid.boundingBox())!;
  await page.screenshot({ path: screenshotPath("tiny-demo-grid.png"), clip: { x: 0, y: box.y - 8, width: WIDTH, height: box.height + 16 }, fullPage: true });

  // The training curves, above the System charts.
  await page.getByRole("tab", { name: "Charts" }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid="chart-lr"] [data-ready]')?.getAttribute("data-ready") === "1");
  const system = (await page.getByRole("heading", { name: "System" }).boundingBox())!;
  await page.screenshot({ path: screenshotPath("tiny-demo-charts.png"), clip: { x: 0, y: 0, width: WIDTH, height: Math.min(system.y - 8, 900) } });
});
