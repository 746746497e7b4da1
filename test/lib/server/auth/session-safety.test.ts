/**
 * The web session against guessing and theft: passwords that fit bcrypt,
 * unknown emails that cost as much as known ones, sign-in throttling per
 * account and per address, sign-out that ends the session on the server,
 * hashed share tokens whose revocation cuts off live sockets, share-link rate
 * limits, and security headers on pages.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { io } from "socket.io-client";
import { createRunViaApi, startTestServer, type TestServer } from "../../../helpers/server";
import { signInViaApi, signUpViaApi, signUpAndIn } from "../../../helpers/auth";
import { SIGN_IN_LIMITS } from "@/lib/server/auth/sign-in-throttle";
import { RATE_LIMITS } from "@/lib/server/http/rate-limits";
import { pool } from "@/lib/server/db/prisma";
import { sha256 } from "@/lib/server/tokens";

let server: TestServer;
let admin: string;
const ADMIN = { email: "admin@example.com", password: "correct horse battery" };
const MEMBER = { email: "member@example.com", password: "staple battery horse" };

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server?.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers, redirect: "manual" });

test("a password must fit bcrypt's 72 bytes, so all of it counts", async () => {
  const long = await signUpViaApi(server.url, { ...ADMIN, password: "é".repeat(37) });
  assert.equal(long.status, 400);
  assert.match(((await long.json()) as { error: string }).error, /password: at most 72 bytes/);
  admin = await signUpAndIn(server.url, ADMIN);
  const invite = await fetch(`${server.url}/api/invites`, { method: "POST", headers: { cookie: admin, "content-type": "application/json" }, body: "{}" });
  const { token } = ((await invite.json()) as { data: { token: string } }).data;
  assert.equal((await signUpViaApi(server.url, { ...MEMBER, invite: token })).status, 200);
});

test("an unknown email takes as long to refuse as a wrong password", async () => {
  const time = async (email: string) => {
    const began = performance.now();
    await assert.rejects(signInViaApi(server.url, email, "not the password"));
    return performance.now() - began;
  };
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const known: number[] = [];
  const unknown: number[] = [];
  // Five interleaved pairs: bcryptjs yields to the event loop, so a busy machine makes single timings noisy.
  for (let i = 0; i < 5; i++) {
    known.push(await time(ADMIN.email));
    unknown.push(await time(`nobody${i}@example.com`));
  }
  // Before, 4.5 ms against 72 ms: bcrypt ran only for known accounts.
  assert.ok(median(unknown) > 0.5 * median(known), `unknown ${median(unknown).toFixed(1)} ms, known ${median(known).toFixed(1)} ms`);
});

test("signing out ends the session on the server: the old cookie no longer works", async () => {
  const cookie = await signInViaApi(server.url, MEMBER.email, MEMBER.password);
  assert.equal((await get("/api/runs", { cookie })).status, 200);
  const csrf = await get("/api/auth/csrf", { cookie });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]);
  const out = await fetch(`${server.url}/api/auth/signout`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: [cookie, ...csrfCookie].join("; ") },
    body: new URLSearchParams({ csrfToken, json: "true" }),
  });
  assert.ok(out.status < 400, `sign-out answered ${out.status}`);
  assert.equal((await get("/api/runs", { cookie })).status, 401, "a copy of the cookie kept after sign-out is refused");
  assert.equal((await get("/api/runs", { cookie: await signInViaApi(server.url, MEMBER.email, MEMBER.password) })).status, 200);
});

test("share tokens are stored hashed; revoking a link disconnects the live sockets opened with it", async () => {
  const run = await createRunViaApi(server.url, { name: "shared" }, { cookie: admin });
  const made = await fetch(`${server.url}/api/runs/${run.id}/share`, { method: "POST", headers: { cookie: admin } });
  const link = ((await made.json()) as { data: { id: string; token: string } }).data;
  const { rows } = await pool().query(`SELECT * FROM "ShareLink" WHERE "id" = $1`, [link.id]);
  assert.equal(rows[0].tokenHash, sha256(link.token));
  assert.ok(!JSON.stringify(rows[0]).includes(link.token), "the token itself is not stored");
  const listed = ((await (await get(`/api/runs/${run.id}/share`, { cookie: admin })).json()) as { data: object[] }).data;
  assert.ok(!JSON.stringify(listed).includes(link.token), "nor listed again");

  const viewer = io(`${server.url}/live`, { forceNew: true, transports: ["websocket"], reconnection: false });
  const ack = (await viewer.timeout(10_000).emitWithAck("subscribe", { runId: run.id, share: link.token })) as { ok: boolean };
  assert.equal(ack.ok, true);
  const disconnected = new Promise<string>((resolve) => viewer.once("disconnect", (reason) => resolve(reason)));
  const revoked = await fetch(`${server.url}/api/runs/${run.id}/share/${link.id}`, { method: "DELETE", headers: { cookie: admin } });
  assert.equal(revoked.status, 200);
  assert.equal(await disconnected, "io server disconnect");
  viewer.close();
  assert.equal((await get(`/api/runs/${run.id}?share=${link.token}`)).status, 401);
});

test("share-link traffic is rate-limited per address", async () => {
  const run = await createRunViaApi(server.url, { name: "popular" }, { cookie: admin });
  const made = await fetch(`${server.url}/api/runs/${run.id}/share`, { method: "POST", headers: { cookie: admin } });
  const { token } = ((await made.json()) as { data: { token: string } }).data;
  const statuses: number[] = [];
  let last: Response | undefined;
  for (let i = 0; i <= RATE_LIMITS.shareRequestsPerMinute; i++) {
    last = await get(`/api/runs/${run.id}/metrics?share=${token}`);
    statuses.push(last.status);
  }
  // The previous test's share reads count in the same minute.
  assert.ok(statuses.filter((s) => s === 200).length >= RATE_LIMITS.shareRequestsPerMinute - 5, statuses.join(","));
  assert.equal(last!.status, 429);
  assert.ok(Number(last!.headers.get("retry-after")) > 0);
  assert.equal((await get(`/api/runs/${run.id}/metrics`, { cookie: admin })).status, 200, "teammates are not limited");
});

test("sign-in is throttled per account, then per address, even with the right password", async () => {
  for (let i = 0; i < SIGN_IN_LIMITS.perAccount; i++) await assert.rejects(signInViaApi(server.url, ADMIN.email, `guess ${i}`));
  await assert.rejects(signInViaApi(server.url, ADMIN.email, ADMIN.password), /refused/, "locked after too many failures");
  // Another account is not locked by the first one's failures...
  await signInViaApi(server.url, MEMBER.email, MEMBER.password);
  // ...until this address has failed too often in all.
  for (let i = 0; i < SIGN_IN_LIMITS.perAddress; i++) await signInViaApi(server.url, `guess${i}@example.com`, "x").catch(() => {});
  await assert.rejects(signInViaApi(server.url, MEMBER.email, MEMBER.password), /refused/);
});

test("pages send a content security policy that forbids framing", async () => {
  const res = await get("/signin");
  const csp = res.headers.get("content-security-policy") ?? "";
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /default-src 'self'/);
  assert.equal(res.headers.get("x-frame-options"), "DENY");
});
