/**
 * In Chromium: signing up, the runs page (live status, search in the URL,
 * compare selection, inert `<script>` names), a share link opened in a fresh
 * context without an account (read-only), and the new-run form's field errors.
 * Saves docs/runs-page.png.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startTestServer, type TestServer } from "../helpers/server";
import { chromiumMissing, launchBrowser, screenshotPath } from "../helpers/browser";
import { TrainerStub, lossAt, signUp } from "./dashboard-fixtures";

const XSS_NAME = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">`;
const missing = chromiumMissing();

let server: TestServer;
let browser: Browser;
let admin: BrowserContext;
let page: Page;
const runs: TrainerStub[] = [];

before(async () => {
  if (missing) return;
  server = await startTestServer();
  browser = await launchBrowser();
  admin = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await admin.newPage();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test("signing up: the first account is the admin and lands on the runs page", { skip: missing }, async () => {
  await page.goto(`${server.url}/`);
  await page.getByText("No runs yet").waitFor();
  await signUp(page, server.url);
  await page.getByText("Admin · admin").waitFor();
  await page.goto(`${server.url}/settings`);
  await page.getByRole("heading", { name: "Invites" }).waitFor();
});

test("the runs page lists runs, renders a <script> name as text, and updates statuses live", { skip: missing }, async () => {
  const configs = [
    { learning_rate: 1e-5, resolution: 512, train_batch_size: 1 },
    { learning_rate: 1e-4, resolution: 512, train_batch_size: 2 },
    { learning_rate: 5e-5, resolution: 256, train_batch_size: 1 },
  ];
  const names = ["naruto-baseline", "naruto-lr1e-4", XSS_NAME];
  for (let i = 0; i < names.length; i++) {
    const run = await TrainerStub.create(admin.request, server.url, { name: names[i], tags: i === 0 ? ["baseline", "sd15"] : ["sd15"], config: configs[i] });
    runs.push(run);
  }
  await runs[0].start();
  await runs[0].metrics(0, 200, (s) => ({ train_loss: lossAt(s) }));
  await runs[0].finish();
  await runs[1].start();
  await runs[1].metrics(0, 120, (s) => ({ train_loss: lossAt(s, 1) }));

  await page.goto(`${server.url}/?cols=learning_rate,train_batch_size`);
  const table = page.getByTestId("runs-table");
  await table.waitFor();
  await page.locator(`tr[data-run-id="${runs[2].id}"]`).getByText(XSS_NAME, { exact: true }).waitFor();
  assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined, "the name's script never ran");
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  const first = await page.locator(`tr[data-run-id="${runs[0].id}"]`).innerText();
  assert.match(first, /finished/);
  assert.match(first, /1\.000e-5/, "the chosen config column shows learning_rate");
  assert.match(first, /baseline/);

  const queuedRow = page.locator(`tr[data-run-id="${runs[2].id}"]`);
  await queuedRow.getByText("queued").waitFor();
  await runs[2].start();
  await queuedRow.getByText("running").waitFor({ timeout: 10_000 });
  await runs[1].finish("failed");
  await page.locator(`tr[data-run-id="${runs[1].id}"]`).getByText("failed").waitFor({ timeout: 10_000 });

  // A few more runs so the screenshot looks like a workspace.
  for (const [i, name] of ["naruto-ema-off", "naruto-res256", "naruto-warmup500", "tiny-demo"].entries()) {
    const extra = await TrainerStub.create(admin.request, server.url, { name, tags: i % 2 ? ["ablation"] : ["sd15"], config: { learning_rate: 1e-5 * (i + 1), train_batch_size: 1 + (i % 2) } });
    await extra.start();
    await extra.metrics(0, 50 + 40 * i, (s) => ({ train_loss: lossAt(s, i + 2) }));
    if (i < 3) await extra.finish(i === 2 ? "failed" : "finished");
  }
  await page.reload();
  await page.locator(`tr[data-run-id="${runs[0].id}"]`).waitFor();
  await page.screenshot({ path: screenshotPath("runs-page.png") });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: screenshotPath("runs-page-dark.png") });
  await page.emulateMedia({ colorScheme: "light" });
});

test("the runs table sorts by a metric's lowest value and by duration; the config-columns panel stays on screen", { skip: missing }, async () => {
  await page.goto(`${server.url}/`);
  await page.getByRole("button", { name: "min train_loss" }).click();
  await page.waitForURL((u) => u.searchParams.get("sort") === "minMetric" && u.searchParams.get("order") === "asc");
  const header = page.locator("th", { has: page.getByRole("button", { name: "min train_loss" }) });
  assert.equal(await header.getAttribute("aria-sort"), "ascending");
  // The column's values, top to bottom, rise; runs without one come last.
  const column = (await page.locator("th").allTextContents()).findIndex((h) => h.startsWith("min train_loss"));
  const cells = await page.locator(`[data-testid="runs-table"] tbody tr td:nth-child(${column + 1})`).allTextContents();
  const values = cells.filter((c) => c !== "").map(Number);
  assert.ok(values.length >= 5 && values.every((v, i) => i === 0 || values[i - 1] <= v), `ascending: ${cells.join(", ")}`);
  assert.ok(cells.slice(values.length).every((c) => c === ""), `runs without a value last: ${cells.join(", ")}`);
  await page.getByRole("button", { name: "Duration" }).click();
  await page.waitForURL((u) => u.searchParams.get("sort") === "duration" && u.searchParams.get("order") === "desc");

  // On a narrow window the panel is shifted to fit; Escape closes it and focus goes back to its button.
  await page.setViewportSize({ width: 520, height: 700 });
  try {
    const button = page.getByRole("button", { name: /^Config columns/ });
    await button.scrollIntoViewIfNeeded();
    await button.click();
    const panel = page.getByRole("dialog", { name: "Config columns" });
    const box = (await panel.boundingBox())!;
    assert.ok(box.x >= 0 && box.x + box.width <= 520, `inside the viewport: ${JSON.stringify(box)}`);
    await page.keyboard.press("Escape");
    await panel.waitFor({ state: "detached" });
    assert.equal(await button.evaluate((el) => el === document.activeElement), true, "focus back on the button");
    await button.click();
    await panel.waitFor();
    await page.getByRole("heading", { name: "Runs" }).click();
    await panel.waitFor({ state: "detached" });
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
  }
});

test("search and filters live in the URL; ticking runs leads to the compare page", { skip: missing }, async () => {
  await page.fill('input[name="q"]', "naruto");
  await page.press('input[name="q"]', "Enter");
  await page.waitForURL((u) => u.searchParams.get("q") === "naruto");
  await page.getByTestId("runs-total").getByText("5 runs").waitFor();
  await page.reload();
  await page.getByTestId("runs-total").getByText("5 runs").waitFor();
  await page.getByRole("button", { name: "finished" }).click();
  await page.waitForURL((u) => u.searchParams.get("status") === "finished");
  await page.getByTestId("runs-total").getByText("3 runs").waitFor();
  await page.getByRole("button", { name: "Clear filters" }).first().click();
  await page.waitForURL((u) => !u.searchParams.has("q"));

  await page.getByLabel("Select naruto-baseline").check();
  await page.getByLabel("Select naruto-lr1e-4").check();
  await page.getByRole("button", { name: "Compare (2)" }).click();
  await page.waitForURL((u) => u.pathname === "/compare");
  assert.deepEqual(new URL(page.url()).searchParams.get("runs")?.split(",").sort(), [runs[0].id, runs[1].id].sort());
});

test("a share link opens the run read-only in a fresh context without an account", { skip: missing }, async () => {
  const res = await admin.request.post(`${server.url}/api/runs/${runs[0].id}/share`);
  assert.equal(res.status(), 200);
  const link = ((await res.json()) as { data: { path: string; token: string } }).data;

  const stranger = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const guest = await stranger.newPage();
    await guest.goto(`${server.url}/runs/${runs[0].id}`);
    await guest.waitForURL((u) => u.pathname === "/signin");

    await guest.goto(`${server.url}${link.path}`);
    await guest.getByText("naruto-baseline").first().waitFor();
    await guest.getByText(/read-only/i).first().waitFor();
    assert.equal(await guest.getByRole("button", { name: "Create public link" }).count(), 0, "no share controls");
    assert.equal(await guest.getByRole("button", { name: "Cancel run" }).count(), 0, "no cancel");
    assert.equal(await guest.getByRole("link", { name: "Settings" }).count(), 0, "no navigation into the workspace");

    // No named helpers inside: tsx would wrap them in __name(), which the page lacks.
    const writes = await guest.evaluate(
      async ({ id, token }) =>
        Promise.all(
          [
            [`/api/runs/${id}?share=${token}`, "PATCH", { notes: "defaced" }],
            [`/api/runs/${id}/share?share=${token}`, "POST", undefined],
            [`/api/runs/${id}/cancel?share=${token}`, "POST", undefined],
            [`/api/runs?share=${token}`, "GET", undefined],
          ].map(([url, method, body]) =>
            fetch(String(url), {
              method: String(method),
              headers: { "content-type": "application/json", "x-inkstone-share": token },
              body: body === undefined ? undefined : JSON.stringify(body),
            }).then((r) => r.status),
          ),
        ),
      { id: runs[0].id, token: link.token },
    );
    for (const status of writes) assert.ok(status === 401 || status === 403 || status === 405, `a write through the link answered ${status}`);
    const run = (await (await admin.request.get(`${server.url}/api/runs/${runs[0].id}`)).json()) as { data: { notes: string } };
    assert.notEqual(run.data.notes, "defaced");
  } finally {
    await stranger.close();
  }
});

test("the admin invites a teammate from Settings; the teammate signs up with the link and sees every run", { skip: missing }, async () => {
  await page.goto(`${server.url}/settings`);
  await page.getByLabel("Key name").fill("laptop");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = await page.getByTestId("new-api-key").innerText();
  assert.match(key, /^[A-Za-z0-9]{21}$/);
  await page.getByRole("cell", { name: "laptop" }).waitFor();

  await page.getByRole("button", { name: "Create invite link" }).click();
  const invite = await page.getByTestId("invite-link").innerText();
  assert.match(invite, /\/signup\?invite=/);

  const teammate = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const tab = await teammate.newPage();
    await tab.goto(`${server.url}/signup`);
    await tab.getByText("needs an invite link").waitFor();
    await tab.goto(invite);
    await tab.fill('input[name="name"]', "Bob");
    await tab.fill('input[name="email"]', "bob@example.com");
    await tab.fill('input[name="password"]', "another good password");
    await Promise.all([tab.waitForURL((u) => u.pathname === "/"), tab.click('button[type="submit"]')]);
    await tab.getByText("Bob", { exact: true }).waitFor();
    await tab.getByRole("link", { name: "naruto-baseline" }).waitFor();
    await tab.goto(`${server.url}/settings`);
    assert.equal(await tab.getByRole("heading", { name: "Invites" }).count(), 0, "members do not manage invites");
    await tab.getByRole("button", { name: "Sign out" }).click();
    await tab.waitForURL((u) => u.pathname === "/signin");
    await tab.goto(`${server.url}/`);
    await tab.waitForURL((u) => u.pathname === "/signin", { timeout: 10_000 });
  } finally {
    await teammate.close();
  }
  await page.reload();
  await page.getByRole("cell", { name: "bob@example.com" }).waitFor();

  // A used or mistyped link says so as the page opens; a link made for one address fills it in.
  const later = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const tab = await later.newPage();
    await tab.goto(invite);
    await tab.getByTestId("invite-problem").getByText("already used").waitFor();
    assert.equal(await tab.locator('input[name="email"]').count(), 0, "no form for a used link");
    await tab.goto(invite.replace(/invite=.*/, "invite=not-a-real-token"));
    await tab.getByTestId("invite-problem").getByText("not valid").waitFor();
    await page.getByLabel("Invitee email").fill("carol@example.com");
    await page.getByRole("button", { name: "Create invite link" }).click();
    await page.waitForFunction((old) => document.querySelector('[data-testid="invite-link"]')?.textContent !== old, invite);
    await tab.goto(await page.getByTestId("invite-link").innerText());
    const email = tab.locator('input[name="email"]');
    assert.equal(await email.inputValue(), "carol@example.com");
    assert.equal(await email.getAttribute("readonly"), "", "the invited address is fixed");
  } finally {
    await later.close();
  }
});

test("the new-run form shows the server's errors next to each bad field", { skip: missing }, async () => {
  await page.goto(`${server.url}/runs/new`);
  await page.getByLabel("SD1.5 Naruto (tutorial)").check();
  assert.equal(await page.inputValue("#field-max_train_steps"), "15000");
  assert.equal(await page.inputValue("#field-learning_rate"), "1e-05");
  await page.fill("#field-resolution", "500");
  await page.fill("#field-max_train_steps", "many");
  await page.fill("#field-pretrained_model_name_or_path", "./no/such/model");
  await page.fill("#field-validation_prompts", "");
  const before = await admin.request.get(`${server.url}/api/runs`).then((r) => r.json() as Promise<{ data: { total: number } }>);
  await page.getByRole("button", { name: "Start run" }).click();
  await page.locator("#field-resolution-error").getByText("must be a multiple of 8 (the VAE downsamples by 8)").waitFor();
  await page.locator("#field-max_train_steps-error").getByText("enter a whole number").waitFor();
  await page.locator("#field-pretrained_model_name_or_path-error").getByText(/must be a folder inside the server's data folder/).waitFor();
  await page.locator("#field-validation_prompts-error").getByText(/at least one prompt/).waitFor();
  assert.equal(await page.getAttribute("#field-resolution", "aria-invalid"), "true");
  assert.equal(new URL(page.url()).pathname, "/runs/new", "stays on the form");
  const afterList = await admin.request.get(`${server.url}/api/runs`).then((r) => r.json() as Promise<{ data: { total: number } }>);
  assert.equal(afterList.data.total, before.data.total, "no run was created");
  // A tall viewport rather than fullPage, which paints the sticky nav mid-page.
  await page.setViewportSize({ width: 1280, height: 1160 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: screenshotPath("new-run-form.png") });
  await page.setViewportSize({ width: 1280, height: 800 });
});
