/** What the runs page offers as filters: projects with their run counts, and the tags in use. */
import { pool } from "@/lib/server/db/prisma";

export interface ProjectFacet {
  name: string;
  runs: number;
}

export async function listProjects(): Promise<ProjectFacet[]> {
  const { rows } = await pool().query<{ name: string; runs: string }>(
    `SELECT p."name", COUNT(r."id") AS runs FROM "Project" p LEFT JOIN "Run" r ON r."projectId" = p."id"
     GROUP BY p."id" ORDER BY MAX(r."createdAt") DESC NULLS LAST, p."name" LIMIT 200`,
  );
  return rows.map((r) => ({ name: r.name, runs: Number(r.runs) }));
}

export async function listTags(limit = 200): Promise<string[]> {
  const { rows } = await pool().query<{ tag: string }>(
    `SELECT tag FROM (SELECT DISTINCT unnest("tags") AS tag FROM "Run") t ORDER BY tag LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.tag);
}
