/**
 * The writes that Python clients need beyond the SDK's store functions
 * (lib/server/ingest/store.ts): merging into a run's config and environment, and
 * appending log lines (text records, refusals) that the client did not number.
 */
import { Prisma } from "@/generated/prisma/client";
import { storeLogs } from "@/lib/server/ingest/store";
import { LIMITS } from "@/lib/protocol/wire";
import { pool } from "@/lib/server/db/prisma";

/** Adds keys to the run's config (later values win), atomically. */
export async function mergeRunConfig(runId: string, patch: Record<string, unknown>): Promise<void> {
  if (!Object.keys(patch).length) return;
  await pool().query(`UPDATE "Run" SET "config" = "config" || $2::jsonb WHERE "id" = $1`, [runId, JSON.stringify(patch)]);
}

/** Adds keys to the run's environment, atomically, so that parallel profile uploads all land. */
export async function mergeRunEnvironment(runId: string, patch: Record<string, unknown>): Promise<void> {
  if (!Object.keys(patch).length) return;
  await pool().query(
    `INSERT INTO "RunEnvironment" ("runId", "data", "updatedAt") VALUES ($1, $2::jsonb, now())
     ON CONFLICT ("runId") DO UPDATE SET "data" = "RunEnvironment"."data" || EXCLUDED."data", "updatedAt" = now()`,
    [runId, JSON.stringify(patch as Prisma.InputJsonObject)],
  );
}

/** Adds keys to one object inside the run's environment (e.g. its MLflow tags), atomically. */
export async function mergeRunEnvironmentSection(runId: string, section: string, patch: Record<string, unknown>): Promise<void> {
  if (!Object.keys(patch).length) return;
  await pool().query(
    `INSERT INTO "RunEnvironment" ("runId", "data", "updatedAt") VALUES ($1, jsonb_build_object($2::text, $3::jsonb), now())
     ON CONFLICT ("runId") DO UPDATE SET "updatedAt" = now(), "data" = "RunEnvironment"."data" ||
       jsonb_build_object($2::text, coalesce("RunEnvironment"."data" -> $2::text, '{}'::jsonb) || $3::jsonb)`,
    [runId, section, JSON.stringify(patch)],
  );
}

/**
 * A client's own console lines are stored at even sequence numbers (2 x its
 * line counter, so a resent batch is recognised); lines Inkstone adds go to the
 * odd numbers after the last line, so the two never collide.
 */
export function clientLineSeq(counter: number): number {
  return counter * 2;
}

/** Appends lines after the run's last one; `stderr` for refusals, so they stand out. */
export async function appendLogLines(runId: string, lines: { stream: "stdout" | "stderr"; text: string }[]): Promise<void> {
  if (!lines.length) return;
  const { rows } = await pool().query<{ last: number | null }>(`SELECT max("seq") AS last FROM "LogLine" WHERE "runId" = $1`, [runId]);
  const last = rows[0]?.last ?? -1;
  const first = last % 2 === 0 ? last + 1 : last + 2;
  await storeLogs(runId, {
    lines: lines.map((l, i) => ({ seq: first + 2 * i, stream: l.stream, text: l.text.slice(0, LIMITS.logLineLength) })),
  });
}

/** Records on the run, where its owner sees it, why something a client sent was not stored. */
export async function recordRefusal(runId: string, client: string, reason: string): Promise<void> {
  await appendLogLines(runId, [{ stream: "stderr", text: `inkstone: refused from ${client}: ${reason}` }]);
}
