/**
 * Migrations through Prisma's WebAssembly schema engine, which works offline
 * (the CLI's native engine is downloaded on first use and cannot be here).
 * The files stay in Prisma's own layout, prisma/migrations/<name>/migration.sql,
 * so `prisma migrate deploy` works too wherever the native engine is available.
 */
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { schemaEngineAdapterFactory } from "./schema-engine-adapter";
import { loadSchemaEngine } from "./schema-engine-wasm";
import type { MigrationList, SchemaEngine as Engine } from "@prisma/schema-engine-wasm";

export const SCHEMA_PATH = path.resolve("prisma/schema.prisma");
export const MIGRATIONS_DIR = path.resolve("prisma/migrations");
const NO_FILTERS = { externalTables: [], externalEnums: [] };

function schemaFiles() {
  return [{ path: SCHEMA_PATH, content: fs.readFileSync(SCHEMA_PATH, "utf8") }];
}

export function readMigrationsList(dir = MIGRATIONS_DIR): MigrationList {
  const lockPath = path.join(dir, "migration_lock.toml");
  const dirs = fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  return {
    baseDir: dir,
    lockfile: { path: "migration_lock.toml", content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: dirs.map((name) => {
      const file = path.join(dir, name, "migration.sql");
      return {
        path: name,
        migrationFile: {
          path: "migration.sql",
          content: fs.existsSync(file)
            ? { tag: "ok" as const, value: fs.readFileSync(file, "utf8") }
            : { tag: "error" as const, value: `${file} is missing` },
        },
      };
    }),
  };
}

async function withEngine<T>(databaseUrl: string, fn: (engine: Engine) => Promise<T>): Promise<T> {
  // Loaded on first use: compiling the engine takes a moment.
  const { SchemaEngine } = await loadSchemaEngine();
  // The engine reports Rust panics through this global before throwing.
  const panics = ((globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { message: string; set_message(m: string): void } })
    .PRISMA_WASM_PANIC_REGISTRY ??= { message: "", set_message(m: string) { this.message = m; console.error(`prisma schema engine panicked: ${m}`); } });
  void panics;
  const { factory, close } = schemaEngineAdapterFactory(databaseUrl);
  const adapter = bindMigrationAwareSqlAdapterFactory(factory);
  const engine = await SchemaEngine.new(
    { datamodels: schemaFiles().map((f) => [f.path, f.content] as [string, string]) },
    () => {},
    adapter,
  );
  try {
    return await fn(engine);
  } finally {
    engine.free();
    await close();
  }
}

/** Applies every migration not yet recorded in `_prisma_migrations`. Returns their names. */
export async function applyPendingMigrations(databaseUrl: string): Promise<string[]> {
  return withEngine(databaseUrl, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList: readMigrationsList(), filters: NO_FILTERS });
    return out.appliedMigrationNames;
  });
}

/**
 * The SQL that takes a database migrated from empty with the existing
 * migrations to schema.prisma. Empty when they agree. The wasm engine cannot
 * create its own shadow database, so it migrates a scratch database instead.
 */
export async function diffMigrationsToSchema(databaseUrl: string): Promise<string> {
  return withScratchDatabase(databaseUrl, async (scratchUrl) => {
    await applyPendingMigrations(scratchUrl);
    return withEngine(scratchUrl, async (engine) => {
      const result = await engine.diff({
        from: { tag: "schemaDatasource", files: schemaFiles(), configDir: path.dirname(SCHEMA_PATH) },
        to: { tag: "schemaDatamodel", files: schemaFiles() },
        script: true,
        exitCode: null,
        filters: NO_FILTERS,
      });
      return stripComments(result.stdout ?? "");
    });
  });
}

/** Writes prisma/migrations/<timestamp>_<name>/migration.sql; null when the schema has no changes. */
export async function createMigration(databaseUrl: string, name: string): Promise<string | null> {
  const sql = await diffMigrationsToSchema(databaseUrl);
  if (!sql) return null;
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "migration.sql"), sql + "\n");
  const lock = path.join(MIGRATIONS_DIR, "migration_lock.toml");
  if (!fs.existsSync(lock)) fs.writeFileSync(lock, 'provider = "postgresql"\n');
  return dir;
}

/** An empty script from the engine still carries comment lines; only statements count. */
function stripComments(sql: string): string {
  return sql
    .split("\n")
    .filter((l) => !/^\s*--/.test(l))
    .join("\n")
    .trim()
    ? sql.trim()
    : "";
}

async function withScratchDatabase<T>(databaseUrl: string, fn: (url: string) => Promise<T>): Promise<T> {
  const name = `inkstone_scratch_${crypto.randomUUID().replaceAll("-", "")}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(databaseUrl);
    url.pathname = `/${name}`;
    try {
      return await fn(url.toString());
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}
