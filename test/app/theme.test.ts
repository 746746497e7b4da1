/** Light and dark themes: the page follows the system's preference, and the toggle pins either one, also across reloads. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { startTestServer, type TestServer } from "../helpers/server";
import { chromiumMissing, launchBrowser } from "../helpers/browser";

const skip = chromiumMissing();
let server: TestServer;
let browser: Browser;

before(async () => {
  if (skip) return;
  server = await startTestServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const LIGHT = { bg: "rgb(255, 255, 255)", text: "rgb(31, 35, 40)" };
const DARK = { bg: "rgb(21, 23, 27)", text: "rgb(230, 232, 235)" };

async function colors(page: Page) {
  return page.evaluate(() => ({ bg: getComputedStyle(document.body).backgroundColor, text: getComputedStyle(document.body).color }));
}

for (const system of ["light", "dark"] as const) {
  test(`a ${system} system: the page follows it until the toggle pins a theme`, async (t) => {
    if (skip) return t.skip(skip);
    const context = await browser.newContext({ colorScheme: system });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/signup`);
      assert.deepEqual(await colors(page), system === "dark" ? DARK : LIGHT);
      const toggle = page.getByRole("button", { name: /^Theme:/ });
      await toggle.click(); // auto -> light
      assert.deepEqual(await colors(page), LIGHT);
      await toggle.click(); // light -> dark
      assert.deepEqual(await colors(page), DARK);
      await page.reload();
      assert.deepEqual(await colors(page), DARK, "the pinned theme survives a reload");
      await page.getByRole("button", { name: "Theme: dark" }).click(); // dark -> auto
      assert.deepEqual(await colors(page), system === "dark" ? DARK : LIGHT);
    } finally {
      await context.close();
    }
  });
}
