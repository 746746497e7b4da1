/**
 * Fuzz test of the ingest APIs, HTTP and socket.io, with a fixed seed:
 * thousands of generated bad (and half-bad) inputs. The server must never
 * answer 5xx, must acknowledge every socket event, and must leave a run it
 * was not sent to byte-identical. Runs in CI: a few thousand inputs, well
 * under a minute.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createRunViaApi, startTestServer, type TestServer } from "../../../helpers/server";
import { connectIngest, emitAck, png } from "../../sdk/clients";
import { pool } from "@/lib/server/db/prisma";

const SEED = 0x1c0ffee;
const HTTP_CASES = 1000;
const SOCKET_CASES = 2000;

let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server?.close();
});

/** mulberry32: a small PRNG, so every run of the test sends the same inputs. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

const STRINGS = ["", "a", "loss", "\u0000", "a\u0000b", "\uD800", "x\uDC00", "__proto__", "constructor", "toString", "%00", "_", "%", "k".repeat(300), "é😀", "\n\r\t", "NaN", "Infinity", "-Infinity", "1e400", "2026-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "99999-01-01T00:00:00Z", "stdout", "stderr", "finished", "exploded"];
const NUMBERS = [0, 1, -1, 1.5, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 31), 1e20, -1e20, 1e308, -1e308, 5e-324, 8.64e15, 8.65e15, -8.65e15, 253402300800000];

/** A random JSON-ish value: scalars, the awkward strings and numbers above, small arrays and objects, sometimes deep. */
function value(r: Rng, depth = 0): unknown {
  const kind = r.int(depth > 3 ? 5 : 9);
  switch (kind) {
    case 0:
      return r.pick(STRINGS);
    case 1:
      return r.pick(NUMBERS);
    case 2:
      return r.pick([null, true, false]);
    case 3:
      return r.int(1000);
    case 4:
      return r.pick(STRINGS) + r.int(10);
    case 5:
      return Array.from({ length: r.int(4) }, () => value(r, depth + 1));
    case 6:
      return Object.fromEntries(Array.from({ length: r.int(4) }, () => [r.pick(STRINGS), value(r, depth + 1)]));
    case 7: {
      let deep: unknown = r.pick(STRINGS);
      for (let i = 0, n = r.pick([10, 70, 1000]); i < n; i++) deep = r.next() < 0.5 ? [deep] : { a: deep };
      return deep;
    }
    default: {
      // A literal `__proto__:` would set the prototype; the wire carries it as a plain key.
      const o: Record<string, unknown> = { constructor: value(r, depth + 1) };
      Object.defineProperty(o, "__proto__", { value: value(r, depth + 1), enumerable: true });
      return o;
    }
  }
}

/** Percent-encodes like a browser's URL bar: lone surrogates become U+FFFD instead of throwing. */
const enc = (s: string) => new URLSearchParams({ v: s }).toString().slice(2);

/** A field that is usually right and sometimes replaced by anything. */
const maybe = (r: Rng, good: unknown) => (r.next() < 0.7 ? good : value(r));

function point(r: Rng): unknown {
  if (r.next() < 0.05) return value(r);
  const p: Record<string, unknown> = { key: maybe(r, r.pick(["loss", "lr", "acc"])), step: maybe(r, r.int(5000)), value: maybe(r, r.next()) };
  if (r.next() < 0.3) p.time = maybe(r, Date.now());
  if (r.next() < 0.1) p[r.pick(STRINGS)] = value(r);
  return p;
}

function line(r: Rng): unknown {
  if (r.next() < 0.05) return value(r);
  return { seq: maybe(r, r.int(5000)), stream: maybe(r, "stdout"), text: maybe(r, `line ${r.int(100)}`), ...(r.next() < 0.3 ? { time: maybe(r, Date.now()) } : {}) };
}

/** A payload for an ingest operation: mostly the right shape with bad parts, sometimes anything at all. */
function payload(r: Rng, op: string): unknown {
  if (r.next() < 0.15) return value(r);
  switch (op) {
    case "metrics":
      return { points: maybe(r, Array.from({ length: 1 + r.int(20) }, () => point(r))) };
    case "logs":
      return { lines: maybe(r, Array.from({ length: 1 + r.int(10) }, () => line(r))) };
    case "start":
      return { config: maybe(r, value(r)), environment: maybe(r, value(r)), commandLine: maybe(r, "train.py") };
    case "finish":
      return { status: maybe(r, r.pick(["finished", "failed", "crashed", "cancelled"])), error: maybe(r, "boom") };
    case "image":
      return { key: maybe(r, "samples"), step: maybe(r, r.int(100)), epoch: maybe(r, r.int(10)), index: maybe(r, r.int(4)), caption: maybe(r, "a cat"), time: maybe(r, Date.now()) };
    default:
      return value(r);
  }
}

/** Every row of a run, as PostgreSQL prints it: any change to the run changes this text. */
async function snapshot(runId: string): Promise<string> {
  const { rows } = await pool().query<{ dump: string }>(
    `SELECT concat_ws(E'\\n',
       (SELECT row_to_json(r)::text FROM "Run" r WHERE r."id" = $1),
       (SELECT string_agg(row_to_json(p)::text, E'\\n' ORDER BY p."key", p."step") FROM "MetricPoint" p WHERE p."runId" = $1),
       (SELECT string_agg(row_to_json(m)::text, E'\\n' ORDER BY m."key", m."width", m."bucket") FROM "MetricRollup" m WHERE m."runId" = $1),
       (SELECT string_agg(row_to_json(l)::text, E'\\n' ORDER BY l."seq") FROM "LogLine" l WHERE l."runId" = $1),
       (SELECT string_agg(concat_ws(' ', i."key", i."step", i."index", i."sha256", i."caption"), E'\\n' ORDER BY i."key", i."step", i."index") FROM "RunImage" i WHERE i."runId" = $1)
     ) AS dump`,
    [runId],
  );
  return rows[0].dump;
}

test("fuzzing the ingest APIs: no 5xx, no lost acknowledgement, an untouched run stays byte-identical", { timeout: 170_000 }, async () => {
  const r = prng(SEED);
  const target = await createRunViaApi(server.url, { name: "fuzzed" });
  const bystander = await createRunViaApi(server.url, { name: "untouched", config: { lr: 1e-5, nested: { a: [1, 2] } } });
  const good = await connectIngest(server.url, bystander.id, bystander.token);
  await emitAck(good, "run:start", { config: { batch: 4 } });
  await emitAck(good, "metrics", { points: Array.from({ length: 300 }, (_, step) => ({ key: "loss", step, value: Math.cos(step) })) });
  await emitAck(good, "logs", { lines: [{ seq: 0, text: "hello" }, { seq: 1, stream: "stderr", text: "world" }] });
  await emitAck(good, "image", { meta: { key: "samples", step: 1, caption: "red" }, data: await png() });
  good.close();
  const before = await snapshot(bystander.id);
  const image = await png();

  // HTTP: JSON bodies (or not JSON at all), odd run ids and query strings.
  const failures: string[] = [];
  const ops = ["metrics", "logs", "start", "finish", "heartbeat", "images"] as const;
  const ids = [target.id, target.id, target.id, bystander.id, "no-such-run", "%2e%2e", "a%00b", "x".repeat(80), "%F0%9F%98%80", "__proto__"];
  const httpCase = async () => {
    const op = r.pick(ops);
    const id = r.pick(ids);
    // The bystander is only ever addressed with a wrong token.
    const token = id === target.id ? r.pick([target.token, target.token, "wrong"]) : r.pick([target.token, bystander.token.slice(1), "wrong"]);
    const url = `${server.url}/api/runs/${id}/${op}`;
    let res: Response;
    if (op === "images") {
      const form = new FormData();
      if (r.next() < 0.9) form.set("meta", r.next() < 0.8 ? JSON.stringify(payload(r, "image")) : "{not json");
      if (r.next() < 0.9) form.set("file", new Blob([(r.next() < 0.7 ? image : Buffer.from(JSON.stringify(value(r)) ?? "")) as Uint8Array<ArrayBuffer>]), "a.png");
      res = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
    } else {
      const body = r.next() < 0.1 ? r.pick(["{", "[1,", "\u0000", "null", '"x"', "1e999"]) : JSON.stringify(payload(r, op));
      res = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": r.pick(["application/json", "text/plain"]) }, body });
    }
    await res.arrayBuffer();
    if (res.status >= 500) failures.push(`POST ${op} -> ${res.status}`);
  };
  const reads = [
    () => `/api/runs?page=${r.pick(["1", "0", "-1", "1e20", "1.5", "abc", "9999999"])}&q=${enc(r.pick(STRINGS))}&pageSize=${r.pick(["1", "500", "501", "x"])}`,
    () => `/api/runs/${r.pick(ids)}/logs?after=${r.pick(["-1", "0", "2147483648", "x"])}&limit=${r.pick(["1", "10000", "0"])}&q=${enc(r.pick(STRINGS))}`,
    () => `/api/runs/${r.pick(ids)}/metrics?key=${enc(r.pick(STRINGS))}&buckets=${r.pick(["1", "20000", "0", "1e9"])}&from=${r.pick(["0", "-5", "2147483648"])}`,
    () => `/api/runs/${r.pick(ids)}/images?step=${r.pick(["0", "x", "1e20"])}&key=${enc(r.pick(STRINGS))}`,
    () => `/api/series/first?runs=${enc([r.pick(ids), r.pick(ids)].join(","))}`,
  ];
  const readCase = async () => {
    const path = r.pick(reads)();
    const res = await fetch(server.url + path);
    await res.arrayBuffer();
    if (res.status >= 500) failures.push(`GET ${path} -> ${res.status}`);
  };
  for (let i = 0; i < HTTP_CASES; i += 8) {
    await Promise.all(Array.from({ length: 8 }, () => (r.next() < 0.8 ? httpCase() : readCase())));
  }

  // socket.io: the same payloads plus odd event names; every event carries an acknowledgement callback.
  const socket = await connectIngest(server.url, target.id, target.token);
  const events = ["run:start", "metrics", "logs", "image", "heartbeat", "run:finish", "toString", "constructor", "__proto__", "hasOwnProperty", "valueOf", "", "nope"];
  let acked = 0;
  try {
    for (let i = 0; i < SOCKET_CASES; i += 10) {
      const batch = Array.from({ length: 10 }, () => {
        const event = r.pick(events);
        const op = event.replace("run:", "");
        const body = event === "image" ? { meta: payload(r, "image"), data: r.next() < 0.7 ? image : value(r) } : payload(r, op);
        return emitAck<unknown>(socket, event, body).then((ack) => {
          assert.equal(typeof ack?.ok, "boolean", `${event}: ${JSON.stringify(ack)}`);
          if (!ack.ok && /internal error/.test(ack.error)) failures.push(`socket ${event} -> ${ack.error}`);
          acked++;
        });
      });
      await Promise.all(batch);
    }
  } finally {
    socket.close();
  }

  assert.deepEqual(failures, [], `${failures.length} server errors`);
  assert.equal(acked, SOCKET_CASES, "every socket event was acknowledged");
  assert.equal(await snapshot(bystander.id), before, "the run nobody wrote to is byte-identical");
  const stored = await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM "MetricPoint" WHERE "runId" = $1`, [target.id]);
  assert.ok(stored.rows[0].n > 0, "the good points among the fuzz were stored");
});
