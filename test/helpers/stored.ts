/** What the server stored for a run, read straight from the database: the figures the fault tests compare. */
import { pool } from "@/lib/server/db/prisma";

export async function storedCounts(runId: string): Promise<{ points: number; logs: number; status: string }> {
  const { rows } = await pool().query(
    `SELECT (SELECT count(*)::int FROM "MetricPoint" WHERE "runId" = $1) AS points,
            (SELECT count(*)::int FROM "LogLine" WHERE "runId" = $1) AS logs,
            (SELECT "status"::text FROM "Run" WHERE "id" = $1) AS status`,
    [runId],
  );
  return rows[0];
}
