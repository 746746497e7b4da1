/**
 * The run page's Output panel in a real browser: a signed-in user sees the
 * output folder, its checkpoints and the sample command line, generates a
 * sample from the final model (the real sampler on a make-tiny pipeline) and
 * sees it appear without a reload; a share link shows it read-only.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromiumMissing } from "../../helpers/browser";
import { assertNotReloaded, markDocument, signedInSession } from "../dashboard-fixtures";

const PROMPT = "Lebron James with a hat";
let outputDir: string;

// Registered before the session's hooks, so the folder exists when the server starts.
before(async () => {
  if (chromiumMissing()) return;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-output-e2e-"));
  const made = spawnSync(process.execPath, ["--import", "tsx", "trainer/make_tiny.ts", "--out", path.join(tmp, "tiny"), "--num_images", "2", "--vae_steps", "0"], { encoding: "utf8" });
  assert.equal(made.status, 0, `make-tiny failed:\n${made.stderr}`);
  // A finished run's folder: the final pipeline and one checkpoint.
  outputDir = path.join(tmp, "output");
  fs.cpSync(path.join(tmp, "tiny", "model"), outputDir, { recursive: true });
  fs.mkdirSync(path.join(outputDir, "checkpoint-12", "unet"), { recursive: true });
  fs.writeFileSync(path.join(outputDir, "checkpoint-12", "unet", "diffusion_pytorch_model.safetensors"), Buffer.alloc(2048));
});
after(() => {
  if (outputDir) fs.rmSync(path.dirname(outputDir), { recursive: true, force: true });
});
const { skip, session } = signedInSession({ width: 1280, height: 1100 });

test("the Output panel lists the folder and checkpoints, samples live, and is read-only through a share link", async (t) => {
  if (skip) return t.skip(skip);
  const { server, browser, context, page } = session;
  const created = await context.request.post(`${server.url}/api/runs`, { data: { project: "output", name: "tiny", config: { output_dir: outputDir } } });
  assert.equal(created.status(), 201);
  const run = (await created.json()) as { id: string };

  await page.goto(`${server.url}/runs/${run.id}`);
  const panel = page.getByTestId("run-output");
  await panel.getByTestId("output-dir").getByText(outputDir).waitFor();
  await panel.getByTestId("final-model").getByText("saved").waitFor();
  assert.deepEqual(await panel.getByTestId("checkpoints").locator("tbody td:first-child").allTextContents(), ["checkpoint-12"]);
  assert.equal(await panel.getByTestId("sample-command").textContent(), `npm run sample -- --model ${outputDir} --prompt "${PROMPT}" --out result.png`);

  await markDocument(page);
  const form = panel.getByTestId("sample-form");
  await form.getByLabel("Prompt").fill(PROMPT);
  await form.getByLabel("Steps").fill("2");
  await form.getByRole("button", { name: "Generate" }).click();
  await form.getByRole("button", { name: "Generating…" }).waitFor();
  const sample = panel.getByTestId("samples").locator("figure");
  await sample.getByText(PROMPT).waitFor({ timeout: 90_000 });
  assert.equal(await sample.count(), 1);
  assert.equal(await sample.locator("img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), 32, "the tiny pipeline's default size");
  await form.getByRole("button", { name: "Generate" }).waitFor();
  await assertNotReloaded(page);

  const link = await context.request.post(`${server.url}/api/runs/${run.id}/share`);
  const { path: sharePath } = ((await link.json()) as { data: { path: string } }).data;
  const visitor = await browser.newContext();
  try {
    const shared = await visitor.newPage();
    await shared.goto(`${server.url}${sharePath}`);
    const sharedPanel = shared.getByTestId("run-output");
    await sharedPanel.getByTestId("samples").getByText(PROMPT).waitFor();
    assert.equal(await sharedPanel.getByTestId("sample-form").getByLabel("Prompt").isDisabled(), true);
    assert.equal(await sharedPanel.getByTestId("sample-form").getByRole("button", { name: "Generate" }).isDisabled(), true);
  } finally {
    await visitor.close();
  }
});
