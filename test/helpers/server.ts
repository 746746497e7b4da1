/**
 * Starts the real server (Next.js production build + socket.io) on a free
 * port against a fresh database. `npm test` builds Next first.
 */
import { startServer, type RunningServer } from "@/lib/server/start-server";
import { createTestDatabase } from "./database";

export interface TestServer extends RunningServer {
  databaseUrl: string;
}

export async function startTestServer(): Promise<TestServer> {
  const db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  let server: RunningServer;
  try {
    server = await startServer({ port: 0, log: () => {} });
  } catch (err) {
    await db.drop();
    throw err;
  }
  return {
    ...server,
    databaseUrl: db.url,
    async close() {
      await server.close();
      await db.drop();
    },
  };
}

/** Creates a run over HTTP and returns `{id, token, url}`. */
export async function createRunViaApi(baseUrl: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const res = await fetch(`${baseUrl}/api/runs`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ project: "test", ...body }),
  });
  if (res.status !== 201) throw new Error(`POST /api/runs answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { id: string; token: string; url: string };
}
