/**
 * socket.io namespace `/ingest`: a trainer connects with `auth: {runId, token}`
 * and every event is acknowledged with `{ok: true, data?}` or `{ok: false, error}`.
 */
import type { Server, Socket } from "socket.io";
import { publicMessage } from "@/lib/server/http/errors";
import type { Ack } from "@/lib/protocol/wire";
import { authenticateRun } from "./authenticate";
import { finishRun, heartbeat, startRun, storeImage, storeLogs, storeMetrics } from "./store";

type Handler = (runId: string, payload: unknown, binary?: Uint8Array) => Promise<unknown>;

/** A Map, not an object literal: event names such as "toString" or "__proto__" must not find anything. */
const handlers = new Map<string, Handler>([
  ["run:start", (runId, p) => startRun(runId, p)],
  ["metrics", (runId, p) => storeMetrics(runId, p)],
  [
    "image",
    (runId, p) => {
      const { meta, data } = (p !== null && typeof p === "object" ? p : {}) as { meta?: unknown; data?: unknown };
      return storeImage(runId, meta, toBytes(data));
    },
  ],
  ["logs", (runId, p) => storeLogs(runId, p)],
  ["heartbeat", (runId) => heartbeat(runId)],
  ["run:finish", (runId, p) => finishRun(runId, p)],
]);

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return undefined;
}

export function attachIngestNamespace(io: Server): void {
  const ns = io.of("/ingest");
  ns.use(async (socket, next) => {
    try {
      const { runId, token } = (socket.handshake.auth ?? {}) as { runId?: unknown; token?: unknown };
      const run = await authenticateRun(runId, token);
      socket.data.runId = run.id;
      next();
    } catch (err) {
      const { status, error } = publicMessage(err);
      next(Object.assign(new Error(error), { data: { status } }));
    }
  });
  ns.on("connection", (socket: Socket) => {
    const runId = socket.data.runId as string;
    // One event at a time per connection: a trainer's events are applied in the
    // order it sent them, and one with a backlog occupies one database
    // connection, so it cannot delay everyone else's points.
    let queue: Promise<void> = Promise.resolve();
    for (const [event, handle] of handlers) {
      socket.on(event, (payload: unknown, ack?: unknown) => {
        const reply = typeof ack === "function" ? (ack as (a: Ack) => void) : () => {};
        queue = queue.then(async () => {
          try {
            const data = await handle(runId, payload);
            reply(data === undefined ? { ok: true } : { ok: true, data });
          } catch (err) {
            reply({ ok: false, error: publicMessage(err).error });
          }
        });
      });
    }
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (typeof event === "string" && handlers.has(event)) return;
      const ack = args.at(-1);
      const name = String(event).slice(0, 100);
      if (typeof ack === "function") ack({ ok: false, error: `unknown event "${name}"; events are ${[...handlers.keys()].join(", ")}` } satisfies Ack);
    });
  });
}
