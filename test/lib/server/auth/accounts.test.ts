/**
 * Accounts over the real server: an open fresh install, the first sign-up
 * becoming admin, invites, sessions, API keys.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { io } from "socket.io-client";
import { createRunViaApi, startTestServer, type TestServer } from "../../../helpers/server";
import { signInViaApi, signUpAndIn, signUpViaApi } from "../../../helpers/auth";
import { prisma } from "@/lib/server/db/prisma";

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server?.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers, redirect: "manual" });
const send = (method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

let admin: string;

test("a fresh install is open until the first account: the quick start needs no sign-in", async () => {
  assert.equal((await get("/api/runs")).status, 200);
  const run = await createRunViaApi(server.url, { name: "before-accounts" });
  assert.equal((await get(`/api/runs/${run.id}`)).status, 200);
  assert.equal((await get("/")).status, 200, "the runs page renders without an account");
});

test("the first sign-up becomes admin; then the server is closed to strangers", async () => {
  const weak = await signUpViaApi(server.url, { email: "admin@example.com", password: "short" });
  assert.equal(weak.status, 400);
  assert.match(((await weak.json()) as { error: string }).error, /password: at least 8 characters/);

  admin = await signUpAndIn(server.url, { email: "Admin@Example.com", name: "Ada", password: "correct horse battery" });
  const user = await prisma.user.findUniqueOrThrow({ where: { email: "admin@example.com" } });
  assert.equal(user.role, "admin");
  assert.notEqual(user.passwordHash, "correct horse battery");
  assert.match(user.passwordHash, /^\$2[aby]\$/, "bcrypt hash");

  assert.equal((await get("/api/runs")).status, 401);
  assert.equal((await send("POST", "/api/runs", { project: "p" })).status, 401);
  const page = await get("/");
  assert.equal(page.status, 307);
  assert.match(page.headers.get("location") ?? "", /\/signin/);
  assert.equal((await get("/api/runs", { cookie: admin })).status, 200);
  assert.equal((await get("/", { cookie: admin })).status, 200);
});

test("wrong passwords and forged cookies get nothing", async () => {
  await assert.rejects(signInViaApi(server.url, "admin@example.com", "wrong password"), /refused/);
  assert.equal((await get("/api/runs", { cookie: "next-auth.session-token=forged.jwt.value" })).status, 401);
});

test("later sign-ups need an invite from the admin, used once", async () => {
  const stranger = await signUpViaApi(server.url, { email: "eve@example.com", password: "password123" });
  assert.equal(stranger.status, 403);

  const created = await send("POST", "/api/invites", { email: "" }, { cookie: admin });
  assert.equal(created.status, 200);
  const invite = ((await created.json()) as { data: { token: string; path: string } }).data;
  assert.ok(invite.path.startsWith("/signup?invite="));

  const bob = await signUpViaApi(server.url, { email: "bob@example.com", password: "password123", invite: invite.token });
  assert.equal(bob.status, 200);
  assert.equal(((await bob.json()) as { data: { role: string } }).data.role, "member");
  const again = await signUpViaApi(server.url, { email: "carol@example.com", password: "password123", invite: invite.token });
  assert.equal(again.status, 403, "an invite works once");

  const member = await signInViaApi(server.url, "bob@example.com", "password123");
  assert.equal((await get("/api/runs", { cookie: member })).status, 200, "teammates see every run");
  assert.equal((await send("POST", "/api/invites", {}, { cookie: member })).status, 403, "only the admin invites");

  const listed = ((await (await get("/api/invites", { cookie: admin })).json()) as { data: { state: string }[] }).data;
  assert.deepEqual(listed.map((i) => i.state), ["used"]);
});

test("API keys: shown once, stored hashed, create runs for their owner, revocable", async () => {
  const res = await send("POST", "/api/keys", { name: "laptop" }, { cookie: admin });
  const key = ((await res.json()) as { data: { id: string; key: string; prefix: string } }).data;
  assert.match(key.key, /^[A-Za-z0-9]{21}$/, "21 letters and digits: the form SwanLab's SDK also accepts");
  const stored = await prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } });
  assert.ok(!JSON.stringify(stored).includes(key.key), "only the hash is stored");

  const run = await createRunViaApi(server.url, { name: "from-sdk" }, { authorization: `Bearer ${key.key}` });
  const owner = await prisma.run.findUniqueOrThrow({ where: { id: run.id }, include: { createdBy: true } });
  assert.equal(owner.createdBy?.email, "admin@example.com");
  assert.equal((await get("/api/runs", { authorization: `Bearer ${key.key}` })).status, 200);

  const list = ((await (await get("/api/keys", { cookie: admin })).json()) as { data: Array<Record<string, unknown>> }).data;
  assert.equal(list.length, 1);
  assert.equal(list[0].prefix, key.prefix);
  assert.ok(list[0].lastUsedAt, "last use is recorded");
  assert.ok(!("key" in list[0]), "the list never shows the key again");

  assert.equal((await send("DELETE", `/api/keys/${key.id}`, {}, { cookie: admin })).status, 200);
  const refused = await send("POST", "/api/runs", { project: "p" }, { authorization: `Bearer ${key.key}` });
  assert.equal(refused.status, 401);
  assert.equal((await get("/api/keys")).status, 401, "keys need a session");
});

test("the /live socket lets a session subscribe to a run and refuses strangers", async () => {
  const run = await createRunViaApi(server.url, { name: "live" }, { cookie: admin });
  const subscribe = (cookie?: string) =>
    new Promise<{ ok: boolean }>((resolve, reject) => {
      const socket = io(`${server.url}/live`, { transports: ["websocket"], extraHeaders: cookie ? { cookie } : {} });
      socket.on("connect_error", reject);
      socket.emit("subscribe", { runId: run.id }, (ack: { ok: boolean }) => {
        socket.disconnect();
        resolve(ack);
      });
    });
  assert.equal((await subscribe()).ok, false);
  assert.equal((await subscribe(admin)).ok, true);
});
