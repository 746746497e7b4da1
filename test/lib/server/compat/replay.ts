/**
 * Replays a request sequence that a real client (SwanLab's or MLflow's SDK)
 * sent to a stand-in server, recorded in recordings/*.jsonl, against the real
 * server, with new ids: every id the recording's server handed out is
 * replaced by the one this server answered, and upload placeholders
 * ("<82 bytes image/png>") by real files of that format.
 */
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";

export interface RecordedRequest {
  method: string;
  path: string;
  /** What the stand-in answered, and the SDK accepted. */
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface Exchange {
  request: RecordedRequest;
  status: number;
  body: any;
}

export function loadRecording(name: string): RecordedRequest[] {
  return fs
    .readFileSync(path.join(import.meta.dirname, "recordings", name), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as RecordedRequest);
}

/** A distinct real file for an upload placeholder: a PNG or WebP of its own color, or text. */
async function uploadBytes(placeholder: string, pathname: string, n: number): Promise<Buffer> {
  const color = { r: (n * 70) % 256, g: (n * 130) % 256, b: 200 };
  if (/\.webp$/i.test(pathname) || placeholder.includes("image/webp")) {
    return sharp({ create: { width: 8, height: 6, channels: 3, background: color } }).webp().toBuffer();
  }
  if (/\.png$/i.test(pathname) || placeholder.includes("image/png")) {
    return sharp({ create: { width: 8, height: 6, channels: 3, background: color } }).png().toBuffer();
  }
  return Buffer.from("hello text");
}

export class Replayer {
  /** recorded value -> live value, applied to every later path, header and body. */
  readonly ids = new Map<string, string>();
  readonly exchanges: Exchange[] = [];
  private uploads = 0;

  constructor(
    readonly baseUrl: string,
    /** Rewrites the request before it is sent, e.g. to point an upload at its presigned URL. */
    private readonly route: (req: RecordedRequest, replayer: Replayer) => { url: string; headers?: Record<string, string> } | undefined = () => undefined,
  ) {}

  swap(text: string): string {
    let out = text;
    for (const [from, to] of this.ids) out = out.split(from).join(to);
    return out;
  }

  private swapDeep(value: unknown): unknown {
    if (typeof value === "string") return this.swap(value);
    if (Array.isArray(value)) return value.map((v) => this.swapDeep(v));
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.swapDeep(v)]));
    return value;
  }

  async send(req: RecordedRequest): Promise<Exchange> {
    const routed = this.route(req, this);
    const url = routed?.url ?? this.baseUrl + this.swap(req.path);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (k.toLowerCase() !== "user-agent") headers[k] = this.swap(v);
    }
    Object.assign(headers, routed?.headers);
    let body: BodyInit | undefined;
    if (typeof req.body === "string" && /^<\d+ bytes/.test(req.body)) {
      body = new Uint8Array(await uploadBytes(req.body, req.path.split("?")[0], ++this.uploads));
    } else if (req.body !== null && req.body !== undefined) {
      body = JSON.stringify(this.swapDeep(req.body));
    }
    const res = await fetch(url, { method: req.method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    const exchange = { request: req, status: res.status, body: parsed };
    this.exchanges.push(exchange);
    return exchange;
  }
}
