/**
 * Duties that must run on exactly one instance among those sharing the
 * database (crash detection by heartbeat, queue housekeeping). The instance
 * that holds a PostgreSQL advisory lock runs them. The lock lives on a
 * dedicated connection, so it is released when that instance dies (or its
 * connection drops). The other instances retry every few seconds and the
 * first to get the lock takes over.
 */
import pg from "pg";
import { readEnv } from "@/lib/config/env";

/** Arbitrary, fixed: the same 64-bit key on every instance ("inkstone" in ASCII). */
const LOCK_KEY = "7597127765039476325";
export const ELECTION_RETRY_MS = readEnv("INKSTONE_ELECTION_RETRY_MS");

/** Starts the duties and returns a function that stops them. */
export type Duties = () => () => void;

export interface SingletonDuties {
  isLeader(): boolean;
  stop(): Promise<void>;
}

export function runSingletonDuties(opts: { databaseUrl: string; duties: Duties; log: (line: string) => void; retryMs?: number }): SingletonDuties {
  const retryMs = opts.retryMs ?? ELECTION_RETRY_MS;
  let client: pg.Client | undefined;
  let stopDuties: (() => void) | undefined;
  let stopped = false;
  let busy = false;

  const resign = (why: string) => {
    if (stopDuties) {
      stopDuties();
      stopDuties = undefined;
      opts.log(`inkstone: gave up the singleton duties (${why})`);
    }
    const old = client;
    client = undefined;
    old?.end().catch(() => {});
  };

  const attempt = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      if (!client) {
        const fresh = new pg.Client({ connectionString: opts.databaseUrl, keepAlive: true, application_name: "inkstone-leader" });
        // A dropped connection means the lock is gone too: stop at once, the next attempt reconnects.
        fresh.on("error", (err) => client === fresh && resign(err.message));
        fresh.on("end", () => client === fresh && resign("connection closed"));
        await fresh.connect();
        client = fresh;
      }
      if (stopDuties) {
        // Still holding it? A query on the connection proves the session (and its lock) is alive.
        await client.query("SELECT 1");
        return;
      }
      const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS locked", [LOCK_KEY]);
      if (rows[0]?.locked && !stopped) {
        stopDuties = opts.duties();
        opts.log("inkstone: this instance runs the singleton duties (crash detection, queue housekeeping)");
      }
    } catch (err) {
      resign(err instanceof Error ? err.message : String(err));
    } finally {
      busy = false;
    }
  };

  const timer = setInterval(() => void attempt(), retryMs);
  timer.unref();
  void attempt();

  return {
    isLeader: () => stopDuties !== undefined,
    async stop() {
      stopped = true;
      clearInterval(timer);
      stopDuties?.();
      stopDuties = undefined;
      const old = client;
      client = undefined;
      // Closing the session releases the lock at once, so another instance takes over at its next try.
      await old?.end().catch(() => {});
    },
  };
}
