/**
 * A share link shows outsiders the run, not the server it ran on: no paths,
 * hostname, process id or command line in the page or in the API answers its
 * page reads, while the team still sees them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { signedInSession, TrainerStub } from "../dashboard-fixtures";

const { skip, session } = signedInSession();

const SECRETS = ["gpu-box-7", "48213", "/home/alice/secret-project", "--api_token=hunter2"];

test("the share view hides the server's paths, hostname, pid and command line", async (t) => {
  if (skip) return t.skip(skip);
  const { server, browser, context, page } = session;
  const run = await TrainerStub.create(context.request, server.url, { name: "shared run", config: { learning_rate: 1e-4 } });
  await run.start({
    environment: {
      runtime: { node: "v20.20.2", platform: "linux", hostname: "gpu-box-7", pid: 48213, cwd: "/home/alice/secret-project" },
      hardware: { cpu: "Test CPU", cores: 2 },
      commandLine: "node trainer/train.ts --output_dir=/home/alice/secret-project/out --api_token=hunter2",
    },
    commandLine: "node trainer/train.ts --output_dir=/home/alice/secret-project/out --api_token=hunter2",
  });
  await run.metrics(0, 5, (s) => ({ train_loss: 1 / (1 + s) }));

  // The team sees where the run executed.
  await page.goto(`${server.url}/runs/${run.id}`);
  const teamEnv = page.getByTestId("environment");
  await teamEnv.getByText("gpu-box-7").waitFor();

  const created = await context.request.post(`${server.url}/api/runs/${run.id}/share`);
  assert.equal(created.status(), 200, await created.text());
  const link = ((await created.json()) as { data: { path: string } }).data.path;
  const outsider = await browser.newContext();
  try {
    const shared = await outsider.newPage();
    await shared.goto(`${server.url}${link}`);
    await shared.getByText("Read-only shared view").waitFor();
    const env = shared.getByTestId("environment");
    await env.getByText("Test CPU").waitFor();
    await env.getByText("v20.20.2").waitFor();
    // Give the live subscription's refresh of the run's details time to land, then read the whole page.
    await shared.waitForLoadState("networkidle");
    const html = await shared.content();
    for (const secret of SECRETS) assert.ok(!html.includes(secret), `the share view shows ${secret}`);

    const token = new URL(`${server.url}${link}`).searchParams.get("share")!;
    const api = await outsider.request.get(`${server.url}/api/runs/${run.id}?share=${token}`);
    assert.equal(api.status(), 200);
    const body = await api.text();
    for (const secret of SECRETS) assert.ok(!body.includes(secret), `GET /api/runs/:id through the share link answers ${secret}`);
  } finally {
    await outsider.close();
  }
});
