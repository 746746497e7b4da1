/**
 * Finds the database for this process: DATABASE_URL when set, else the
 * embedded server (started here). Pending migrations are applied either way.
 */
import { startEmbeddedPostgres } from "./embedded-postgres";
import { applyPendingMigrations } from "./migrations";
import { readEnv } from "@/lib/config/env";

export interface Database {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export async function connectDatabase(opts: { log?: (line: string) => void } = {}): Promise<Database> {
  const log = opts.log ?? ((line: string) => console.log(line));
  let db: Database;
  const configured = readEnv("DATABASE_URL");
  if (configured) {
    db = { url: configured, embedded: false, stop: async () => {} };
  } else {
    const embedded = await startEmbeddedPostgres();
    db = { url: embedded.url, embedded: true, stop: embedded.stop };
    log(`inkstone: embedded PostgreSQL at ${new URL(embedded.url).host} (data in ./data/postgres)`);
  }
  const applied = await applyPendingMigrations(db.url);
  if (applied.length) log(`inkstone: applied migrations ${applied.join(", ")}`);
  return db;
}
