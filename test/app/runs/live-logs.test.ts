/**
 * The logs tab is exact across its fetch-then-subscribe handover: a line logged
 * after the page was rendered but before its live subscription began is shown
 * in its place, not skipped until a reload.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { signedInSession, TrainerStub } from "../dashboard-fixtures";

const { skip, session } = signedInSession();

test("a line logged while the page loads is not lost (no gap between the render and the subscription)", async (t) => {
  if (skip) return t.skip(skip);
  const { server, context, page } = session;
  const trainer = await TrainerStub.create(context.request, server.url, { name: "race" });
  await trainer.start();
  await trainer.logs(Array.from({ length: 24 }, (_, seq) => ({ seq, text: `line ${seq}` })));

  // Hold the page's live connection until line 24 is stored: the page was
  // rendered with lines 0-23 and subscribes only after 24 was logged.
  await page.routeWebSocket(/\/socket\.io\//, async (ws) => {
    await trainer.logs([{ seq: 24, text: "line 24" }]);
    ws.connectToServer();
  });
  await page.goto(`${server.url}/runs/${trainer.id}?tab=logs`);
  await page.locator('[data-live="live"]').waitFor();
  await trainer.logs([{ seq: 25, text: "line 25" }]);

  const consoleBox = page.getByTestId("log-console");
  await consoleBox.getByText("line 25", { exact: true }).waitFor();
  await consoleBox.getByText("line 24", { exact: true }).waitFor();
  const seqs = (await consoleBox.locator("span").filter({ hasText: /^\d+$/ }).allTextContents()).map(Number);
  assert.deepEqual(seqs, Array.from({ length: 26 }, (_, i) => i), "every line once, in order");
  await page.unrouteAll();
});
