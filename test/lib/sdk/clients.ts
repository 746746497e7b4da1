/** Raw socket.io and HTTP clients for the ingest and live tests. */
import { io, type Socket } from "socket.io-client";
import sharp from "sharp";
import type { Ack } from "@/lib/protocol/wire";
import { waitFor } from "../../helpers/wait-for";

/** Connects to `/ingest`; resolves with the socket, or rejects with the handshake error (its `data.status` says why). */
export function connectIngest(url: string, runId: string, token: string): Promise<Socket> {
  const socket = io(`${url}/ingest`, { auth: { runId, token }, transports: ["websocket"], reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err) => {
      socket.close();
      reject(err);
    });
  });
}

export function emitAck<T = unknown>(socket: Socket, event: string, ...args: unknown[]): Promise<Ack<T>> {
  return socket.timeout(30_000).emitWithAck(event, ...args) as Promise<Ack<T>>;
}

/** A `/live` subscriber of one run (or "runs") that records every event it receives; `cookie` signs it in. */
export async function subscribeLive(url: string, runId: string, opts: { cookie?: string } = {}) {
  const socket = io(`${url}/live`, { transports: ["websocket"], reconnection: false, ...(opts.cookie ? { extraHeaders: { cookie: opts.cookie } } : {}) });
  const events: { event: string; payload: any; at: number }[] = [];
  socket.onAny((event: string, payload: unknown) => events.push({ event, payload, at: Date.now() }));
  const ack = (await socket.timeout(10_000).emitWithAck("subscribe", { runId })) as Ack;
  if (!ack.ok) throw new Error(`subscribe failed: ${ack.error}`);
  return {
    socket,
    events,
    /** Waits until `done(events)` holds, or fails after `ms`. */
    async until(done: (events: { event: string; payload: any }[]) => boolean, ms = 15_000) {
      await waitFor(() => done(events), { what: "the live events", describe: () => `events ${events.map((e) => e.event).join(", ")}`, timeout: ms, interval: 20 });
    },
    close: () => socket.close(),
  };
}

export function png(width = 4, height = 3, color = "#ff0000"): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: color } }).png().toBuffer();
}

export async function postJson(url: string, body: unknown, token?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

export async function getJson(url: string): Promise<any> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  return res.json();
}
