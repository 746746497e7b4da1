/**
 * The image views are exact, in a real browser: a sample from the final model
 * sits beside the validation grid without becoming one of its epochs; compare
 * opens on the validation grid and matches rows by prompt text, whatever order
 * or set of prompts each run has; the chosen key, prompt filter and epoch live
 * in the URL of the run page, compare and the share view.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { PROMPTS, signedInSession, TrainerStub } from "../dashboard-fixtures";

const { skip, session } = signedInSession();

const SAMPLE_PROMPT = "Lebron James with a hat, in the rain";

/** A finished run with validation images at epochs 0 and 1 (steps 0 and 100) and a sample at step 200. */
async function runWithSample(name: string, prompts: string[]): Promise<TrainerStub> {
  const { server, context } = session;
  const run = await TrainerStub.create(context.request, server.url, { name });
  await run.start();
  await run.metrics(0, 201, (s) => ({ train_loss: 1 / (1 + s) }));
  await run.validation(0, 0, prompts);
  await run.validation(1, 100, prompts);
  await run.finish();
  await run.sample(200, SAMPLE_PROMPT);
  return run;
}

test("run page: a sample sits beside the validation grid and never becomes an epoch", async (t) => {
  if (skip) return t.skip(skip);
  const { server, context, page } = session;
  const run = await runWithSample("with a sample", PROMPTS);

  await page.goto(`${server.url}/runs/${run.id}?tab=images`);
  const grid = page.getByTestId("image-grid-validation");
  await grid.waitFor();
  assert.equal(await page.getByTestId("epoch-value").textContent(), "epoch 1 (2 of 2)", "the slider holds the validation epochs only");
  assert.deepEqual(await grid.locator("thead th[data-epoch]").allTextContents(), ["epoch 0", "epoch 1"]);
  // "Selected epoch only" still shows the latest epoch's images.
  await page.getByLabel("Selected epoch only").check();
  assert.equal(await grid.locator("tbody img").count(), PROMPTS.length);
  await page.getByTestId("samples").getByText(SAMPLE_PROMPT).waitFor();

  // The lightbox scales a small image up, pixelated, instead of showing it smaller than its thumbnail.
  await grid.locator("tbody img").first().click();
  const enlarged = page.getByRole("dialog", { name: "Enlarged image" }).locator("img");
  const box = (await enlarged.boundingBox())!;
  assert.ok(box.width >= 480, `a 96 px image is shown ${box.width} px wide`);
  assert.equal(await enlarged.evaluate((el) => getComputedStyle(el).imageRendering), "pixelated");
  await page.keyboard.press("Escape");

  // Prompt filter, key and epoch go into the URL, and the URL restores them.
  await page.getByLabel("Filter prompts").fill("bill");
  await page.waitForFunction(() => new URL(location.href).searchParams.get("prompt") === "bill");
  assert.deepEqual(await grid.locator("tbody th").allTextContents(), ["2 Bill Gates with a hoodie"]);
  await page.getByRole("button", { name: "Previous epoch" }).click();
  await page.waitForFunction(() => new URL(location.href).searchParams.get("epoch") === "0");
  const again = await context.newPage();
  await again.goto(page.url());
  await again.getByTestId("epoch-value").getByText("epoch 0").waitFor();
  assert.equal(await again.getByTestId("image-grid-validation").locator("tbody tr").count(), 1);
  await again.close();

  await page.getByLabel("Image key").selectOption("samples");
  await page.waitForFunction(() => new URL(location.href).searchParams.get("images") === "samples");
  assert.equal(await page.getByTestId("epoch-value").count(), 0, "samples have no epoch slider");

  // The share view keeps the same state in its URL.
  const created = await context.request.post(`${server.url}/api/runs/${run.id}/share`);
  assert.equal(created.status(), 200, await created.text());
  const link = ((await created.json()) as { data: { path: string } }).data.path;
  const outsider = await session.browser.newContext();
  const shared = await outsider.newPage();
  await shared.goto(`${server.url}${link}&tab=images&epoch=0&prompt=lebron`);
  const sharedGrid = shared.getByTestId("image-grid-validation");
  await sharedGrid.waitFor();
  await shared.getByTestId("epoch-value").getByText("epoch 0").waitFor();
  assert.deepEqual(await sharedGrid.locator("tbody th").allTextContents(), ["0 Lebron James with a hat"]);
  await shared.getByLabel("Image key").selectOption("samples");
  await shared.waitForFunction(() => new URL(location.href).searchParams.get("images") === "samples");
  assert.ok(new URL(shared.url()).searchParams.get("share"), "the share token stays in the URL");
  await outsider.close();
});

test("compare: rows matched by prompt text across different prompt orders and sets; opens on the validation grid", async (t) => {
  if (skip) return t.skip(skip);
  const { server, page } = session;
  const a = await runWithSample("run A", ["Lebron James with a hat", "Mickael Jackson as a ninja", "Bill Gates with a hoodie"]);
  const b = await runWithSample("run B", ["Bill Gates with a hoodie", "John Oliver with Naruto style", "Lebron James with a hat"]);

  await page.goto(`${server.url}/compare?runs=${a.id},${b.id}&tab=images`);
  const grid = page.getByTestId("compare-images");
  await grid.waitFor();
  assert.equal(await page.getByTestId("epoch-value").textContent(), "epoch 1 (2 of 2)", "opens on the validation grid, not the samples");
  const rows = grid.locator("tbody tr");
  assert.deepEqual(await rows.locator("th").allTextContents(), [
    "Lebron James with a hat",
    "Mickael Jackson as a ninja",
    "Bill Gates with a hoodie",
    "John Oliver with Naruto style",
  ]);
  const cell = (prompt: string, run: TrainerStub) => grid.locator("tbody tr", { has: page.locator("th", { hasText: prompt }) }).locator(`td[data-run="${run.id}"]`);
  // Each cell holds that run's image of that very prompt, whatever its position in the run's list.
  assert.equal(await cell("Bill Gates with a hoodie", a).locator("img").getAttribute("alt"), "2: Bill Gates with a hoodie");
  assert.equal(await cell("Bill Gates with a hoodie", b).locator("img").getAttribute("alt"), "0: Bill Gates with a hoodie");
  assert.equal(await cell("Lebron James with a hat", b).locator("img").getAttribute("alt"), "2: Lebron James with a hat");
  // A prompt only one run has: the other cell is empty and says so.
  assert.equal(await cell("Mickael Jackson as a ninja", b).getByTestId("cell-missing").textContent(), "missing");
  assert.equal(await cell("John Oliver with Naruto style", a).getByTestId("cell-missing").textContent(), "missing");
  assert.equal(await cell("John Oliver with Naruto style", b).locator("img").getAttribute("alt"), "1: John Oliver with Naruto style");
  // The lightbox names the same prompt as the row.
  await cell("Bill Gates with a hoodie", b).locator("img").click();
  assert.equal(await page.getByTestId("lightbox-caption").textContent(), "0: Bill Gates with a hoodie");
  await page.keyboard.press("Escape");

  // Key and prompt filter in the URL.
  await page.getByLabel("Filter prompts").fill("gates");
  await page.waitForFunction(() => new URL(location.href).searchParams.get("prompt") === "gates");
  assert.equal(await rows.count(), 1);
  await page.getByLabel("Image key").selectOption("samples");
  await page.waitForFunction(() => new URL(location.href).searchParams.get("images") === "samples");
  const again = await session.context.newPage();
  await again.goto(page.url());
  await again.getByTestId("compare-images").waitFor();
  assert.equal(await again.getByLabel("Image key").inputValue(), "samples");
  assert.equal(await again.getByLabel("Filter prompts").inputValue(), "gates");
  await again.close();
});
