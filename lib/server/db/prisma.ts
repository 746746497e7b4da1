/**
 * The one Prisma client (and its pg pool) for the whole process. The custom
 * server and Next's route bundles load this module separately, so the
 * instance lives on globalThis to be shared.
 */
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";
import { readEnv } from "@/lib/config/env";

interface Db {
  prisma: PrismaClient;
  pool: pg.Pool;
  /** The pool's connections until each has closed: pool.end() resolves once it has asked them to. */
  open: Set<pg.Client>;
}

const holder = globalThis as unknown as { __inkstoneDb?: Db };

function create(): Db {
  const connectionString = readEnv("DATABASE_URL");
  if (!connectionString) throw new Error("DATABASE_URL is not set: start Inkstone through server.ts, which sets it");
  const pool = new pg.Pool({ connectionString, max: readEnv("INKSTONE_PG_POOL") });
  // A dropped connection must not take the server down; the pool replaces it.
  pool.on("error", (err) => console.error("inkstone: idle database connection failed:", err.message));
  const open = new Set<pg.Client>();
  pool.on("connect", (client) => {
    open.add(client);
    client.once("end", () => open.delete(client));
  });
  return { pool, open, prisma: new PrismaClient({ adapter: new PrismaPg(pool) }) };
}

function db(): Db {
  return (holder.__inkstoneDb ??= create());
}

/** Lazily connected, so importing this module never needs a database. */
export const prisma: PrismaClient = new Proxy({} as PrismaClient, {
  get: (_t, prop) => Reflect.get(db().prisma, prop),
});

/** The same pool Prisma uses, for bulk statements (unnest inserts, downsampling). */
export function pool(): pg.Pool {
  return db().pool;
}

export async function disconnect(): Promise<void> {
  const current = holder.__inkstoneDb;
  if (!current) return;
  holder.__inkstoneDb = undefined;
  await current.prisma.$disconnect();
  await current.pool.end().catch(() => {});
  // Closed for good, so that a database stopped next (the embedded one) ends no session of ours.
  await Promise.all([...current.open].map((client) => new Promise((resolve) => client.once("end", resolve))));
}
