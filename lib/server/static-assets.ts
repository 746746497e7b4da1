/**
 * The build's immutable assets (/_next/static/...), compressed once and kept in
 * memory. Next's handler compresses them again on every request, which on a
 * 2-core machine competes with rendering and reading the series of the very
 * page that asked for them.
 */
import fs from "node:fs/promises";
import type http from "node:http";
import path from "node:path";
import { promisify } from "node:util";
import zlib from "node:zlib";

const PREFIX = "/_next/static/";
const TYPES: Record<string, string> = {
  ".js": "application/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
};
const COMPRESSIBLE = new Set([".js", ".css", ".json", ".map", ".txt", ".svg"]);
const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

interface Asset {
  type: string;
  raw: Buffer;
  gzip: Buffer | null;
  brotli: Buffer | null;
}

async function readAsset(root: string, rel: string): Promise<Asset | null> {
  const file = path.resolve(root, rel);
  const type = TYPES[path.extname(file)];
  if (!file.startsWith(root + path.sep) || !type) return null;
  const raw = await fs.readFile(file).catch(() => null);
  if (!raw) return null;
  if (!COMPRESSIBLE.has(path.extname(file)) || raw.length < 1024) return { type, raw, gzip: null, brotli: null };
  const [gz, br] = await Promise.all([gzip(raw), brotli(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } })]);
  return { type, raw, gzip: gz, brotli: br };
}

/** A request handler that answers /_next/static/ files it can read and returns false for everything else (Next then answers). */
export function staticAssets(distDir: string): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean> {
  const root = path.resolve(distDir, "static");
  const cache = new Map<string, Promise<Asset | null>>();
  return async (req, res) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || !req.url?.startsWith(PREFIX)) return false;
    let rel: string;
    try {
      rel = decodeURIComponent(req.url.slice(PREFIX.length).split("?")[0]!);
    } catch {
      return false;
    }
    let pending = cache.get(rel);
    if (!pending) cache.set(rel, (pending = readAsset(root, rel)));
    const asset = await pending;
    if (!asset) {
      // Unknown paths are not remembered, so that probing them cannot grow the cache.
      cache.delete(rel);
      return false;
    }
    const accepts = String(req.headers["accept-encoding"] ?? "");
    const [body, encoding] =
      asset.brotli && /\bbr\b/.test(accepts) ? [asset.brotli, "br"] : asset.gzip && /\bgzip\b/.test(accepts) ? [asset.gzip, "gzip"] : [asset.raw, null];
    res.writeHead(200, {
      "content-type": asset.type,
      "content-length": body.length,
      // Build outputs are content-hashed: a changed file gets a new name.
      "cache-control": "public, max-age=31536000, immutable",
      vary: "Accept-Encoding",
      ...(encoding ? { "content-encoding": encoding } : {}),
    });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}
