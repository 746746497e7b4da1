/** Share links: 256-bit tokens that open one run read-only, refuse every write, and stop working when revoked. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { io } from "socket.io-client";
import { createRunViaApi, startTestServer, type TestServer } from "../../../helpers/server";
import { signUpAndIn } from "../../../helpers/auth";

let server: TestServer;
let admin: string;
let run: { id: string; token: string };
let other: { id: string };
let link: { id: string; token: string; path: string };

before(async () => {
  server = await startTestServer();
  admin = await signUpAndIn(server.url, { email: "admin@example.com", password: "correct horse battery" });
  run = await createRunViaApi(server.url, { name: "shared" }, { cookie: admin });
  other = await createRunViaApi(server.url, { name: "private" }, { cookie: admin });
});
after(async () => {
  await server?.close();
});

const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
  fetch(`${server.url}${path}`, {
    method,
    redirect: "manual",
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/**
 * A page refused to a stranger sends them to sign-in: a 307, or (when the page
 * streams behind a loading state) a 200 whose only content is the redirect.
 */
async function assertSentToSignIn(res: Response, secret: string) {
  const body = await res.text();
  if (res.status === 307) return assert.match(res.headers.get("location") ?? "", /\/signin/);
  assert.equal(res.status, 200);
  assert.match(body, /NEXT_REDIRECT|http-equiv="refresh"[^>]*\/signin/);
  assert.ok(!body.includes(secret), "the run's data is not in the page");
}

test("a signed-in teammate makes a link with an unguessable token", async () => {
  const res = await call("POST", `/api/runs/${run.id}/share`, { cookie: admin });
  assert.equal(res.status, 200);
  link = ((await res.json()) as { data: typeof link }).data;
  assert.match(link.token, /^[A-Za-z0-9_-]{43}$/, "32 random bytes, base64url");
  assert.equal(link.path, `/runs/${run.id}?share=${link.token}`);
  const listed = ((await (await call("GET", `/api/runs/${run.id}/share`, { cookie: admin })).json()) as { data: unknown[] }).data;
  assert.equal(listed.length, 1);
});

test("the link opens its run's page and reads without an account", async () => {
  assert.equal((await call("GET", `/api/runs/${run.id}`)).status, 401);
  assert.equal((await call("GET", `/api/runs/${run.id}?share=${link.token}`)).status, 200);
  assert.equal((await call("GET", `/api/runs/${run.id}/metrics`, { "x-inkstone-share": link.token })).status, 200);
  assert.equal((await call("GET", `/api/series/first?runs=${run.id}`)).status, 401);
  assert.equal((await call("GET", `/api/series/first?runs=${run.id}&share=${link.token}`)).status, 200);
  const page = await call("GET", link.path);
  assert.equal(page.status, 200);
  await assertSentToSignIn(await call("GET", `/runs/${run.id}`), "shared");
});

test("the link opens nothing else", async () => {
  assert.equal((await call("GET", `/api/runs/${other.id}?share=${link.token}`)).status, 401);
  assert.equal((await call("GET", `/api/runs?share=${link.token}`)).status, 401, "not the runs list");
  assert.equal((await call("GET", `/api/series/first?runs=${run.id},${other.id}&share=${link.token}`)).status, 401, "not another run's series");
  await assertSentToSignIn(await call("GET", `/runs/${other.id}?share=${link.token}`), "private");
  assert.equal((await call("GET", `/api/runs/${run.id}/share?share=${link.token}`)).status, 403, "not the other links");
});

test("every write through a share link is refused", async () => {
  const headers = { "x-inkstone-share": link.token };
  const q = `?share=${link.token}`;
  assert.equal((await call("POST", `/api/runs/${run.id}/share${q}`, headers)).status, 403);
  assert.equal((await call("DELETE", `/api/runs/${run.id}/share/${link.id}${q}`, headers)).status, 403);
  assert.equal((await call("POST", `/api/runs/${run.id}/cancel${q}`, headers)).status, 403);
  const patch = await call("PATCH", `/api/runs/${run.id}${q}`, headers, { notes: "defaced" });
  assert.ok([401, 403, 405].includes(patch.status), `PATCH through a share link answered ${patch.status}`);
  assert.equal((await call("POST", `/api/runs/${run.id}/metrics${q}`, headers, { points: [{ key: "x", step: 0, value: 1 }] })).status, 401);
  assert.equal((await call("POST", "/api/launches", headers, {})).status, 401);
});

test("the live socket accepts the link for its run only", async () => {
  const subscribe = (runId: string, share: string) =>
    new Promise<{ ok: boolean }>((resolve, reject) => {
      const socket = io(`${server.url}/live`, { transports: ["websocket"] });
      socket.on("connect_error", reject);
      socket.emit("subscribe", { runId, share }, (ack: { ok: boolean }) => {
        socket.disconnect();
        resolve(ack);
      });
    });
  assert.equal((await subscribe(run.id, link.token)).ok, true);
  assert.equal((await subscribe(other.id, link.token)).ok, false);
  assert.equal((await subscribe("runs", link.token)).ok, false, "not every run's status changes");
});

test("a revoked link stops working and stays listed as revoked", async () => {
  assert.equal((await call("DELETE", `/api/runs/${run.id}/share/${link.id}`, { cookie: admin })).status, 200);
  assert.equal((await call("GET", `/api/runs/${run.id}?share=${link.token}`)).status, 401);
  await assertSentToSignIn(await call("GET", link.path), "shared");
  const listed = ((await (await call("GET", `/api/runs/${run.id}/share`, { cookie: admin })).json()) as { data: { revokedAt: string | null }[] }).data;
  assert.ok(listed[0].revokedAt);
});
