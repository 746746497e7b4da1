/**
 * Comparing two runs in a real browser: overlaid charts in each run's colour,
 * the config table's "differences only" toggle, and the image grids side by
 * side under one epoch slider, with nearest-earlier images where epochs differ.
 */
import { test } from "node:test";
import { screenshotPath } from "../../helpers/browser";
import assert from "node:assert/strict";
import { runColor } from "@/lib/browser/charts/colors";
import { assertNotReloaded, lossAt, markDocument, signedInSession, TrainerStub } from "../dashboard-fixtures";

const { skip, session } = signedInSession();

function rgb(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgb(${n >> 16}, ${(n >> 8) & 255}, ${n & 255})`;
}

test("two runs: overlaid charts, config differences, images side by side", async (t) => {
  if (skip) return t.skip(skip);
  const { server, context, page } = session;
  const base = { resolution: 512, train_batch_size: 1, seed: 42 };
  const a = await TrainerStub.create(context.request, server.url, { name: "lr 1e-5", config: { ...base, learning_rate: 1e-5 } });
  const b = await TrainerStub.create(context.request, server.url, { name: "lr 5e-5", config: { ...base, learning_rate: 5e-5 } });
  for (const [i, r] of [a, b].entries()) {
    await r.start();
    await r.metrics(0, 300, (s) => ({ train_loss: lossAt(s, i) * (1 + i * 0.3), lr: i ? 5e-5 : 1e-5 }));
  }
  // Misaligned validation epochs: A validates at 0 and 2, B at 1 and 3.
  await a.validation(0, 0);
  await a.validation(2, 200);
  await b.validation(1, 100);
  await b.validation(3, 300);

  await page.goto(`${server.url}/compare?runs=${a.id},${b.id}`);
  const legend = page.getByTestId("compare-legend");
  await legend.getByText("lr 1e-5").waitFor();
  await legend.getByText("lr 5e-5").waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="chart-train_loss"] [data-points]')?.getAttribute("data-points") === "600");

  // Live: a point for one run lands on the shared chart without a reload.
  await markDocument(page);
  await b.metrics(300, 310, (s) => ({ train_loss: lossAt(s, 1) }));
  await page.waitForFunction(() => document.querySelector('[data-testid="chart-train_loss"] [data-points]')?.getAttribute("data-points") === "610");
  await page.screenshot({ path: screenshotPath("compare.png") });

  // Config: both columns in the runs' colours; "differences only" keeps learning_rate alone.
  await page.getByRole("tab", { name: "Config" }).click();
  const table = page.getByTestId("compare-config");
  await table.getByText("seed").waitFor();
  const headers = table.locator("thead th");
  assert.equal(await headers.nth(1).evaluate((el) => getComputedStyle(el).borderTopColor), rgb(runColor(0)));
  assert.equal(await headers.nth(2).evaluate((el) => getComputedStyle(el).borderTopColor), rgb(runColor(1)));
  await page.getByLabel("Differences only").check();
  assert.equal(new URL(page.url()).searchParams.get("diff"), "1");
  await table.getByText("seed").waitFor({ state: "detached" });
  assert.deepEqual(await table.locator("tbody th").allTextContents(), ["learning_rate"]);

  // Images: one slider over the union of epochs; each run shows its nearest earlier image.
  await page.getByRole("tab", { name: "Images" }).click();
  const grid = page.getByTestId("compare-images");
  await grid.waitFor();
  await page.getByTestId("epoch-value").getByText("epoch 3").waitFor();
  const cell = (run: string, row: number) => grid.locator("tbody tr").nth(row).locator(`td[data-run="${run}"]`);
  assert.equal(await cell(a.id, 0).getByTestId("cell-epoch").textContent(), "from epoch 2");
  assert.equal(await cell(b.id, 0).getByTestId("cell-epoch").textContent(), "epoch 3");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  await page.getByTestId("epoch-value").getByText("epoch 1").waitFor();
  assert.equal(await cell(a.id, 2).getByTestId("cell-epoch").textContent(), "from epoch 0");
  assert.equal(await cell(b.id, 2).getByTestId("cell-epoch").textContent(), "epoch 1");
  await page.keyboard.press("ArrowLeft");
  await page.getByTestId("epoch-value").getByText("epoch 0").waitFor();
  assert.equal(await cell(b.id, 0).locator("img").count(), 0, "B has no image at or before epoch 0");
  assert.equal(new URL(page.url()).searchParams.get("epoch"), "0");

  // The URL reproduces the view.
  const again = await context.newPage();
  await again.goto(page.url());
  await again.getByTestId("epoch-value").getByText("epoch 0").waitFor();
  await again.close();
  await assertNotReloaded(page);
});

test("after its live connection drops, compare reads the images logged meanwhile", async (t) => {
  if (skip) return t.skip(skip);
  const { server, context, page } = session;
  const a = await TrainerStub.create(context.request, server.url, { name: "steady" });
  const b = await TrainerStub.create(context.request, server.url, { name: "late images" });
  await a.start();
  await b.start();
  await a.validation(0, 0);
  await page.goto(`${server.url}/compare?runs=${a.id},${b.id}&tab=images`);
  const grid = page.getByTestId("compare-images");
  const images = (run: string) => grid.locator(`td[data-run="${run}"] img`).count();
  await page.locator('[data-live="live"]').waitFor();
  await grid.locator(`td[data-run="${a.id}"] img`).first().waitFor();
  assert.equal(await images(b.id), 0);
  await markDocument(page);

  // Drop the page's connection (a transport close, so the client reconnects) and turn its reconnects away meanwhile.
  const engine = server.io.engine;
  const allowRequest = engine.opts.allowRequest;
  engine.opts.allowRequest = (_req, callback) => callback("paused by the test", false);
  try {
    for (const socket of server.io.of("/live").sockets.values()) socket.conn.close();
    await page.locator('[data-live="offline"]').waitFor();
    // Logged while the page is not subscribed: no live event reaches it.
    await b.validation(0, 0);
    assert.equal(await images(b.id), 0, "no live event reached the page");
  } finally {
    engine.opts.allowRequest = allowRequest;
  }
  await page.locator('[data-live="live"]').waitFor();
  await grid.locator(`td[data-run="${b.id}"] img`).first().waitFor();
  assert.equal(await images(b.id), await images(a.id), "B's images, read after the reconnect, fill its column as A's do");
  await assertNotReloaded(page);
});

test("unknown ids are reported, and no ids asks the user to pick runs", async (t) => {
  if (skip) return t.skip(skip);
  const { server, page } = session;
  await page.goto(`${server.url}/compare`);
  await page.getByText("Pick runs to compare").waitFor();
  await page.goto(`${server.url}/compare?runs=nope1,nope2`);
  await page.getByText("None of these runs exists").waitFor();
});

test("Compare… on a run page offers other runs, the same project's first, and opens compare with both", async (t) => {
  if (skip) return t.skip(skip);
  const { server, context, page } = session;
  const here = await TrainerStub.create(context.request, server.url, { project: "picker", name: "picker base" });
  await TrainerStub.create(context.request, server.url, { project: "picker", name: "picker sibling" });
  // Newer than both, but in another project: listed after the sibling.
  const stranger = await TrainerStub.create(context.request, server.url, { project: "elsewhere", name: "picker stranger" });
  await page.goto(`${server.url}/runs/${here.id}`);
  const trigger = page.getByRole("button", { name: "Compare…" });
  await trigger.click();
  const picker = page.getByRole("dialog", { name: "Compare with another run" });
  const names = picker.getByRole("link");
  await names.first().waitFor();
  const listed = await names.allTextContents();
  const at = (name: string) => listed.findIndex((text) => text.includes(name));
  assert.equal(at("picker base"), -1, "not the run itself");
  assert.ok(at("picker sibling") >= 0 && at("picker sibling") < at("picker stranger"), `same project first: ${JSON.stringify(listed)}`);
  // The panel stays inside the viewport, Escape closes it and focus goes back to the button.
  const box = (await picker.boundingBox())!;
  assert.ok(box.x >= 0 && box.x + box.width <= page.viewportSize()!.width, `inside the viewport: ${JSON.stringify(box)}`);
  await page.keyboard.press("Escape");
  await picker.waitFor({ state: "detached" });
  assert.equal(await trigger.evaluate((el) => el === document.activeElement), true);
  // The search finds a run by name; choosing it opens compare with both.
  await trigger.click();
  await picker.getByLabel("Search runs to compare").fill("stranger");
  await picker.getByRole("link", { name: /picker stranger/ }).click();
  await page.waitForURL((u) => u.pathname === "/compare");
  assert.equal(new URL(page.url()).searchParams.get("runs"), `${here.id},${stranger.id}`);
  await page.getByTestId("compare-legend").getByText("picker stranger").waitFor();
  await page.getByTestId("compare-legend").getByText("picker base").waitFor();
});
