/** The build's /_next/static files: compressed once, served with immutable caching, and nothing outside the folder. */
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, test } from "node:test";
import zlib from "node:zlib";
import { startTestServer, type TestServer } from "../../helpers/server";

let server: TestServer;
let chunk: string;

before(async () => {
  server = await startTestServer();
  const html = await (await fetch(`${server.url}/signup`)).text();
  chunk = html.match(/\/_next\/static\/chunks\/[^"]+\.js/)![0];
});
after(async () => {
  await server?.close();
});

/** A raw GET (fetch would decode the body and normalize the path). */
function get(path: string, headers: Record<string, string> = {}, method = "GET"): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.url}${path}`, { method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (d: Buffer) => parts.push(d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("a chunk comes brotli- or gzip-compressed as asked, or plain, with the same bytes inside", async () => {
  const plain = await get(chunk);
  assert.equal(plain.status, 200);
  assert.match(plain.headers["content-type"]!, /javascript/);
  assert.equal(plain.headers["cache-control"], "public, max-age=31536000, immutable");
  assert.equal(plain.headers["content-encoding"], undefined);
  const br = await get(chunk, { "accept-encoding": "gzip, deflate, br" });
  assert.equal(br.headers["content-encoding"], "br");
  assert.deepEqual(zlib.brotliDecompressSync(br.body), plain.body);
  const gz = await get(chunk, { "accept-encoding": "gzip" });
  assert.equal(gz.headers["content-encoding"], "gzip");
  assert.deepEqual(zlib.gunzipSync(gz.body), plain.body);
  const head = await get(chunk, {}, "HEAD");
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(Number(head.headers["content-length"]), plain.body.length);
});

test("missing files and paths out of the folder are not served", async () => {
  assert.equal((await get("/_next/static/chunks/no-such-chunk.js")).status, 404);
  const escaped = await get("/_next/static/..%2F..%2Fpackage.json");
  assert.notEqual(escaped.status, 200);
  assert.ok(!escaped.body.toString().includes('"name": "inkstone"'));
  assert.equal((await get("/_next/static/%E0%A4%A")).status, 404);
});
