/**
 * The run page in a real browser: a signed-in user watches a run that a
 * trainer stand-in feeds over HTTP; charts, the image grid and the logs
 * update live without a reload; view state is carried in the URL.
 */
import { test } from "node:test";
import type { Page } from "playwright-core";
import { screenshotPath } from "../../helpers/browser";
import assert from "node:assert/strict";
import { DEFAULT_SMOOTHING } from "@/lib/browser/charts/view-state";
import { tinyLaunchBody } from "../training-fixtures";
import { assertNotReloaded, lossAt, markDocument, PROMPTS, signedInSession, TrainerStub } from "../dashboard-fixtures";

const { skip, session } = signedInSession();

test("charts, image grid and logs update live; state lives in the URL", async (t) => {
  if (skip) return t.skip(skip);
  const { server, browser, context, page } = session;
  const trainer = await TrainerStub.create(context.request, server.url, {
    name: "sd15-naruto",
    config: { learning_rate: 1e-5, train_batch_size: 1, gradient_accumulation_steps: 4, resolution: 512, lr_scheduler: "constant" },
    tags: ["naruto"],
  });
  // Overview: status, config, environment, editable notes. The page opens before the trainer
  // starts, so what the start reports (environment, command line) must arrive without a reload.
  const launchAnswered = page.waitForResponse((r) => r.url().endsWith(`/api/runs/${trainer.id}/launch`));
  await page.goto(`${server.url}/runs/${trainer.id}`);
  await page.getByTestId("run-status").getByText("queued").waitFor();
  // A script's run has no process here to stop: no Cancel once the server said so.
  await launchAnswered;
  assert.equal(await page.getByRole("button", { name: "Cancel run" }).count(), 0, "no cancel for a run not launched here");
  await page.locator('[data-live="live"]').waitFor();
  await markDocument(page);
  await trainer.start({
    environment: {
      runtime: { node: "v20.19.0", platform: "linux", arch: "x64" },
      hardware: { cpu: "Test CPU", cores: 16, memoryGiB: 128 },
      gpu: [{ index: 0, name: "NVIDIA H100", memoryMiB: 81559 }],
      git: { commit: "abc123", branch: "main", dirty: false },
      commandLine: "npm run train -- --use_ema --resolution=512",
      packages: { "@tensorflow/tfjs": "4.22.0" },
    },
  });

  await page.getByTestId("run-status").getByText("running").waitFor();
  await page.getByTestId("config-table").getByText("gradient_accumulation_steps").waitFor();
  await page.getByTestId("environment").getByText("NVIDIA H100").waitFor();
  await assertNotReloaded(page);
  await page.getByRole("button", { name: "Edit notes" }).click();
  await page.getByLabel("Notes").fill("EMA on, <b>not bold</b>");
  await page.getByRole("button", { name: "Save notes" }).click();
  await page.getByTestId("run-notes").getByText("EMA on, <b>not bold</b>").waitFor();

  // Charts: empty state first, then charts appear and grow live.
  await page.getByRole("tab", { name: "Charts" }).click();
  assert.match(page.url(), /tab=charts/);
  await page.getByTestId("empty-metrics").waitFor();
  await markDocument(page);
  await trainer.metrics(0, 200, (s) => ({ train_loss: lossAt(s), lr: 1e-5, epoch: Math.floor(s / 50) }));
  const lossChart = page.getByTestId("chart-train_loss");
  await lossChart.waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="chart-train_loss"] [data-points]')?.getAttribute("data-points") === "200");
  await page.getByTestId("chart-lr").waitFor();
  await page.getByTestId("chart-epoch").waitFor();
  await trainer.metrics(200, 260, (s) => ({ train_loss: lossAt(s), "system/cpu_percent": 40 + (s % 7) }));
  await page.waitForFunction(() => document.querySelector('[data-testid="chart-train_loss"] [data-points]')?.getAttribute("data-last-step") === "259");
  await page.getByTestId("chart-system/cpu_percent").waitFor();
  await page.getByRole("heading", { name: "System" }).waitFor();
  await assertNotReloaded(page);

  // Smoothing, x axis and the single-metric view are carried in the URL and restored from it.
  await page.getByLabel("X axis").selectOption("relative");
  await page.getByLabel("Smoothing").fill("0.8");
  await page.getByTestId("chart-train_loss").getByRole("button", { name: "train_loss" }).click();
  const url = new URL(page.url());
  assert.equal(url.searchParams.get("x"), "relative");
  assert.equal(url.searchParams.get("smoothing"), "0.8");
  assert.equal(url.searchParams.get("metric"), "train_loss");
  assert.equal(await page.getByTestId("chart-lr").count(), 0);
  const other = await context.newPage();
  await other.goto(url.toString());
  await other.waitForFunction(() => document.querySelector('[data-testid="chart-train_loss"] [data-ready]')?.getAttribute("data-ready") === "1");
  assert.equal(await other.getByLabel("X axis").inputValue(), "relative");
  assert.equal(await other.getByLabel("Smoothing").inputValue(), "0.8");
  assert.equal(await other.getByTestId("chart-lr").count(), 0);
  await other.close();
  // Dragging across a chart zooms in and reads just that range; double-click resets.
  await page.getByLabel("X axis").selectOption("step");
  await page.getByLabel("Smoothing").fill("0");
  await page.waitForFunction(() => document.querySelector('[data-testid="chart-train_loss"] [data-ready]')?.getAttribute("data-ready") === "1");
  const canvas = page.getByTestId("chart-train_loss").locator("canvas");
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5, { steps: 5 });
  await page.mouse.up();
  await page.getByRole("button", { name: "Reset zoom" }).waitFor();
  await page.waitForFunction(() => {
    const n = Number(document.querySelector('[data-testid="chart-train_loss"] [data-points]')?.getAttribute("data-points"));
    return n > 0 && n < 200;
  });
  await canvas.dblclick();
  await page.waitForFunction(() => document.querySelector('[data-testid="chart-train_loss"] [data-points]')?.getAttribute("data-points") === "260");
  await page.getByLabel("Smoothing").fill(String(DEFAULT_SMOOTHING));
  await page.getByRole("button", { name: "Show all metrics" }).click();
  await page.getByLabel("X axis").selectOption("step");
  await page.waitForFunction(() => document.querySelector('[data-testid="chart-lr"] [data-ready]')?.getAttribute("data-ready") === "1");
  await page.screenshot({ path: screenshotPath("run-page.png") });

  // Images: the grid fills in live, prompts in rows and epochs in columns.
  await page.getByRole("tab", { name: "Images" }).click();
  await page.getByTestId("empty-images").waitFor();
  await trainer.validation(0, 0);
  const grid = page.getByTestId("image-grid-validation");
  await grid.waitFor();
  for (const p of PROMPTS) await grid.getByText(p).waitFor();
  await trainer.validation(1, 100);
  await trainer.validation(2, 200);
  await grid.locator("thead th", { hasText: "epoch 2" }).waitFor();
  assert.equal(await grid.locator("tbody tr").count(), 3);
  assert.equal(await grid.locator("tbody img").count(), 9);
  await page.getByTestId("epoch-value").getByText("epoch 2").waitFor();
  await page.keyboard.press("ArrowLeft");
  await page.getByTestId("epoch-value").getByText("epoch 1").waitFor();
  assert.equal(new URL(page.url()).searchParams.get("epoch"), "1");
  await grid.locator("tbody tr").nth(1).locator("img").nth(1).click();
  await page.getByTestId("lightbox-caption").getByText("1: Mickael Jackson as a ninja").waitFor();
  await page.locator("dialog").getByText("step 100").waitFor();
  await page.keyboard.press("Escape");
  await assertNotReloaded(page);

  // Logs: streamed live, searchable.
  await page.getByRole("tab", { name: "Logs" }).click();
  await page.getByTestId("log-console").getByText("No console output yet", { exact: false }).waitFor();
  await trainer.logs([
    { seq: 0, text: "Steps: 1/15000 loss=0.21" },
    { seq: 1, text: "validation: generating 3 images" },
    { seq: 2, text: "warning: <script>alert(1)</script>", stream: "stderr" },
  ]);
  await page.getByTestId("log-console").getByText("validation: generating 3 images").waitFor();
  await page.getByTestId("log-console").getByText("warning: <script>alert(1)</script>").waitFor();
  await page.getByLabel("Search the logs").fill("validation");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.getByText("1 matching lines").waitFor();
  assert.equal(new URL(page.url()).searchParams.get("q"), "validation");

  // The status changes live too.
  await trainer.finish();
  await page.getByTestId("run-status").getByText("finished").waitFor();
  await assertNotReloaded(page);

  // Through a share link, in a context without an account: the same charts and images, read-only.
  const created = await context.request.post(`${server.url}/api/runs/${trainer.id}/share`);
  assert.equal(created.status(), 200, await created.text());
  const link = ((await created.json()) as { data: { path: string } }).data.path;
  const stranger = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const pub = await stranger.newPage();
  await pub.goto(`${server.url}${link}&tab=charts`);
  await pub.getByText("Read-only shared view").waitFor();
  await pub.waitForFunction(() => document.querySelector('[data-testid="chart-train_loss"] [data-drawn]')?.getAttribute("data-drawn") === "1");
  await pub.getByRole("tab", { name: "Overview" }).click();
  await pub.getByTestId("run-notes").getByText("EMA on").waitFor();
  assert.equal(await pub.getByRole("button", { name: "Edit notes" }).count(), 0);
  assert.equal(await pub.getByLabel("New tag").count(), 0);
  await pub.getByRole("tab", { name: "Images" }).click();
  const firstImage = pub.getByTestId("image-grid-validation").locator("img").first();
  await firstImage.waitFor();
  await pub.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, await firstImage.elementHandle());
  await stranger.close();
});

test("logs open on their tail and page back with 'Load earlier lines'", async (t) => {
  if (skip) return t.skip(skip);
  const { server, context, page } = session;
  const trainer = await TrainerStub.create(context.request, server.url, { name: "chatty" });
  await trainer.logs(Array.from({ length: 700 }, (_, seq) => ({ seq, text: `line ${seq}` })));
  await page.goto(`${server.url}/runs/${trainer.id}?tab=logs`);
  const consoleBox = page.getByTestId("log-console");
  await consoleBox.getByText("line 699", { exact: true }).waitFor();
  assert.equal(await consoleBox.getByText("line 0", { exact: true }).count(), 0);
  await page.getByText("500 lines").waitFor();
  await page.getByRole("button", { name: "Load earlier lines" }).click();
  await consoleBox.getByText("line 0", { exact: true }).waitFor();
  await page.getByText("700 lines").waitFor();
  assert.equal(await page.getByRole("button", { name: "Load earlier lines" }).count(), 0);
});

test("notes cannot be changed through a share link, and the API says why", async (t) => {
  if (skip) return t.skip(skip);
  const { server, context } = session;
  const trainer = await TrainerStub.create(context.request, server.url, { name: "shared" });
  const res = await fetch(`${server.url}/api/runs/${trainer.id}?share=not-a-real-token`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ notes: "vandalism" }),
  });
  assert.equal(res.status, 403);
  assert.match(((await res.json()) as { error: string }).error, /read-only/);
  const bad = await context.request.patch(`${server.url}/api/runs/${trainer.id}`, { data: { tags: [""] } });
  assert.equal(bad.status(), 400);
  assert.match(((await bad.json()) as { error: string }).error, /tags/);
});

test("an unknown run is a 404 page", async (t) => {
  if (skip) return t.skip(skip);
  const { server, page } = session;
  // The loading skeleton streams first, so the status may already be 200; the page must still say 404
  // (then rendered by the client's not-found boundary, after hydration).
  const res = await page.goto(`${server.url}/runs/does-not-exist`);
  if (res?.status() !== 404) await page.getByText("404").first().waitFor({ timeout: 15_000 });
  assert.equal(await page.getByTestId("run-name").count(), 0);
});

/** Canvas pixels of one exact, opaque colour: grid lines are drawn crisp, one pixel wide, in the theme's --border. */
async function pixelsOf(page: Page, testId: string, [r, g, b]: [number, number, number]): Promise<number> {
  return page.evaluate(
    ({ testId, rgb }) => {
      const canvas = document.querySelector(`[data-testid="${testId}"] canvas`) as HTMLCanvasElement;
      const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] === rgb[0] && data[i + 1] === rgb[1] && data[i + 2] === rgb[2] && data[i + 3] === 255) n++;
      return n;
    },
    { testId, rgb: [r, g, b] },
  );
}
// --border in app/globals.css: light-dark(#e1e4e8, #2d3239).
const LIGHT_GRID: [number, number, number] = [0xe1, 0xe4, 0xe8];
const DARK_GRID: [number, number, number] = [0x2d, 0x32, 0x39];

test("open charts restyle on a theme switch; system metrics plot against time", async (t) => {
  if (skip) return t.skip(skip);
  const { server, context, page } = session;
  const trainer = await TrainerStub.create(context.request, server.url, { name: "themed" });
  await trainer.start();
  await trainer.metrics(0, 40, (s) => ({ train_loss: lossAt(s) }));
  // Two samples, 10 s apart: against steps they would be one line over 0..1.
  await trainer.metrics(0, 2, () => ({ "system/rss_mib": 512 }));
  await page.goto(`${server.url}/runs/${trainer.id}?tab=charts`);
  const ready = (key: string) => page.waitForFunction((k) => document.querySelector(`[data-testid="chart-${k}"] [data-drawn]`)?.getAttribute("data-drawn") === "1", key);
  await ready("train_loss");
  await ready("system/rss_mib");
  assert.equal(await page.getByLabel("X axis").inputValue(), "step");
  assert.equal(await page.getByTestId("chart-train_loss").locator("[data-x-axis]").getAttribute("data-x-axis"), "step");
  assert.equal(await page.getByTestId("chart-system/rss_mib").locator("[data-x-axis]").getAttribute("data-x-axis"), "relative", "system metrics use time since the start");

  assert.ok((await pixelsOf(page, "chart-train_loss", LIGHT_GRID)) > 100, "light grid lines");
  assert.equal(await pixelsOf(page, "chart-train_loss", DARK_GRID), 0);
  const toggle = page.getByRole("button", { name: /^Theme:/ });
  await toggle.click(); // auto -> light
  await toggle.click(); // light -> dark
  await page.waitForFunction(() => getComputedStyle(document.body).backgroundColor === "rgb(21, 23, 27)");
  for (const deadline = Date.now() + 10_000; (await pixelsOf(page, "chart-train_loss", DARK_GRID)) === 0; ) {
    assert.ok(Date.now() < deadline, "the chart restyled within 10 s");
    await page.waitForTimeout(100);
  }
  assert.ok((await pixelsOf(page, "chart-train_loss", DARK_GRID)) > 100, "dark grid lines, without a reload");
  assert.equal(await pixelsOf(page, "chart-train_loss", LIGHT_GRID), 0, "no light grid line left");
  assert.ok((await pixelsOf(page, "chart-system/rss_mib", DARK_GRID)) > 100, "every chart restyles");
  await page.getByRole("button", { name: "Theme: dark" }).click(); // back to auto for the tests after
});

test("a run started from the form says it is queued where a script's run shows the SDK calls", async (t) => {
  if (skip) return t.skip(skip);
  const { server, context, page } = session;
  // For any worker, with none connected: it stays queued.
  const res = await context.request.post(`${server.url}/api/launches`, { data: tinyLaunchBody({ runs_on: "any_worker" }) });
  assert.equal(res.status(), 201, await res.text());
  const { id } = ((await res.json()) as { data: { id: string } }).data;
  await page.goto(`${server.url}/runs/${id}?tab=charts`);
  await page.getByTestId("waiting-metrics").getByText("Waiting to start").waitFor();
  assert.equal(await page.getByTestId("empty-metrics").count(), 0, "no SDK snippet for a launched run");
  await page.getByRole("tab", { name: "Images" }).click();
  await page.getByTestId("waiting-images").getByText("Queued").waitFor();
  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Cancel run" }).click();
  await page.getByTestId("waiting-images").getByText("ended (cancelled)").waitFor();
});
