/**
 * One process serves Next.js and socket.io on the same port. Used by
 * server.ts (npm start) and by the tests. Several such processes may share
 * one database (and, for live updates, one Redis at REDIS_URL); then one of
 * them at a time runs the singleton duties.
 */
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import next from "next";
import { Server } from "socket.io";
import { connectDatabase } from "@/lib/server/db/connect";
import { loadAuthSecret } from "@/lib/server/auth/secret";
import { startHeartbeatMonitor } from "@/lib/server/runs/heartbeat-monitor";
import { startLauncher } from "@/lib/server/launcher";
import { startQueueHousekeeping } from "@/lib/server/launcher/housekeeping";
import { attachIngestNamespace } from "@/lib/server/ingest/ingest-namespace";
import { attachLiveNamespace } from "@/lib/server/live/namespace";
import { setLiveServer } from "@/lib/server/live/publish";
import { disconnect } from "@/lib/server/db/prisma";
import { LIMITS } from "@/lib/protocol/wire";
import { rateLimit } from "@/lib/server/http/rate-limits";
import { isCrossOrigin, refusal, stampClientAddress } from "@/lib/server/http/request-guard";
import { joinLiveCluster } from "./live/cluster";
import { runSingletonDuties } from "./singleton-duties";
import { staticAssets } from "./static-assets";
import { readEnv } from "@/lib/config/env";

export interface RunningServer {
  url: string;
  port: number;
  io: Server;
  close(): Promise<void>;
}

function refuse(res: http.ServerResponse, status: number, error: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify({ ok: false, error }));
}

export async function startServer(opts: {
  port?: number;
  host?: string;
  dev?: boolean;
  dir?: string;
  log?: (line: string) => void;
} = {}): Promise<RunningServer> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const host = opts.host ?? "127.0.0.1";
  const db = await connectDatabase({ log });
  process.env.DATABASE_URL = db.url;
  await loadAuthSecret();

  const app = next({ dev: opts.dev ?? false, dir: opts.dir ?? process.cwd(), hostname: host, port: opts.port ?? 3000 });
  const handle = app.getRequestHandler();
  await app.prepare();
  // In development the files change under the same names; Next serves them itself.
  const serveStatic = opts.dev ? async () => false : staticAssets(path.join(opts.dir ?? process.cwd(), ".next"));

  const httpServer = http.createServer((req, res) => {
    stampClientAddress(req);
    const refused = refusal(req);
    if (refused) return void refuse(res, refused.status, refused.error);
    rateLimit(req)
      .then((limited) => {
        if (limited) return refuse(res, limited.status, limited.error, { "retry-after": String(limited.retryAfterSeconds) });
        return serveStatic(req, res).then((served) => (served ? undefined : handle(req, res)));
      })
      .catch((err: unknown) => {
        console.error("inkstone: request failed:", err);
        if (!res.headersSent) res.writeHead(500).end("internal error");
      });
  });
  // An image event carries up to 10 MB of bytes plus its metadata.
  const io = new Server(httpServer, {
    maxHttpBufferSize: LIMITS.bodyBytes,
    serveClient: false,
    // /live authenticates with the session cookie: a page of another origin must not open it in the user's name.
    allowRequest: (req, callback) => callback(isCrossOrigin(req) ? "cross-origin connection refused" : null, !isCrossOrigin(req)),
  });
  const redisUrl = readEnv("REDIS_URL");
  const cluster = redisUrl ? await joinLiveCluster(io, redisUrl, log) : undefined;
  setLiveServer(io, { clustered: cluster !== undefined });
  attachIngestNamespace(io);
  attachLiveNamespace(io);
  const duties = runSingletonDuties({
    databaseUrl: db.url,
    log,
    duties: () => {
      const stops = [startHeartbeatMonitor(), startQueueHousekeeping(log)];
      return () => stops.forEach((stop) => stop());
    },
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(opts.port ?? 3000, host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  // Runs started from the form; their processes outlive this server and are adopted by the next one.
  const stopLauncher = startLauncher({ url, log });
  log(`inkstone: serving on ${url}`);

  return {
    url,
    port,
    io,
    async close() {
      await duties.stop();
      await stopLauncher();
      setLiveServer(undefined);
      io.close();
      await cluster?.close();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await app.close?.();
      await disconnect();
      await db.stop();
    },
  };
}
