/**
 * The SDK's socket.io connection to `/ingest`. socket.io reconnects by itself
 * after network failures; a handshake refused by the server for a transient
 * reason is retried here, one refused for a wrong token or unknown run is not.
 */
import { io, type Socket } from "socket.io-client";
import type { Ack } from "../protocol/wire.ts";
import { socketEvent, type Batch } from "./batch.ts";
import type { SendResult } from "./outbox.ts";
import { reportRefusals, type Reporter } from "./report.ts";

export interface ConnectionOptions {
  url: string;
  runId: string;
  token: string;
  heartbeatIntervalMs: number;
  ackTimeoutMs: number;
  report: Reporter;
  onConnect: () => void;
}

/** Server errors worth retrying; anything else (bad input, too large) would fail again the same way. */
function isTransient(error: string | undefined): boolean {
  return !error || error.startsWith("internal error");
}

export class IngestConnection {
  private readonly socket: Socket;
  private readonly heartbeatTimer: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  /** The server refused this run's credentials: reconnecting cannot help. */
  refused = false;

  constructor(private readonly opts: ConnectionOptions) {
    this.socket = io(`${opts.url}/ingest`, {
      auth: { runId: opts.runId, token: opts.token },
      transports: ["websocket"],
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
    });
    this.socket.on("connect", () => {
      this.heartbeat();
      opts.onConnect();
    });
    this.socket.on("disconnect", (reason) => {
      if (reason === "io client disconnect") return;
      opts.report.once("disconnect", `lost the connection to ${opts.url} (${reason}); reconnecting, nothing logged meanwhile is lost`);
      // socket.io leaves reconnecting after a disconnect by the server to us.
      if (reason === "io server disconnect") this.retry(500);
    });
    this.socket.on("connect_error", (err: Error & { data?: { status?: number } }) => {
      const status = err.data?.status;
      if (status === 401 || status === 404) {
        this.refused = true;
        opts.report.emit(`the server refused run ${opts.runId}: ${err.message}; its data stays in the local spool`);
        return;
      }
      opts.report.once("connect_error", `cannot reach ${opts.url} (${err.message}); retrying`);
      // A refusal in the server's handshake (e.g. its database is down) stops socket.io's own retries.
      if (!this.socket.active) this.retry(2_000);
    });
    this.heartbeatTimer = setInterval(() => this.heartbeat(), opts.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  send(batch: Batch): Promise<SendResult> {
    // Never emit while disconnected: socket.io would buffer the packet and send it again on reconnect.
    if (!this.socket.connected) return Promise.resolve({ ok: false, error: "not connected", retry: true });
    const { event, payload } = socketEvent(batch);
    return new Promise((resolve) => {
      this.socket.timeout(this.opts.ackTimeoutMs).emit(event, payload, (err: Error | null, ack?: Ack) => {
        if (err) resolve({ ok: false, error: err.message, retry: true });
        else if (ack?.ok) {
          reportRefusals(this.opts.report, batch.kind, ack.data);
          resolve({ ok: true });
        }
        else resolve({ ok: false, error: ack?.error ?? "no acknowledgement", retry: isTransient(ack?.error) });
      });
    });
  }

  private retry(delayMs: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.socket.connect(), delayMs);
    this.retryTimer.unref();
  }

  private heartbeat(): void {
    if (this.socket.connected) this.socket.emit("heartbeat", {});
  }

  close(): void {
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.retryTimer);
    this.socket.disconnect();
  }
}
