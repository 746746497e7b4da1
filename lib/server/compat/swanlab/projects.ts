/**
 * SwanLab projects are Inkstone projects of the same name. SwanLab scopes a
 * project by workspace (`/project/{username}/{name}`); Inkstone's projects are
 * the team's, so the workspace part of a path is accepted and not checked.
 */
import { z } from "zod";
import { notFound } from "@/lib/server/http/errors";
import { prisma } from "@/lib/server/db/prisma";
import { LIMITS } from "@/lib/protocol/wire";
import { parseInput } from "@/lib/server/http/validate";

const projectName = z.string().trim().min(1, "name must not be empty").max(LIMITS.keyLength);
const createProjectSchema = z.object({ name: projectName }).passthrough();

/** Creates the project unless it exists; `created` tells which (201 or 200). */
export async function createProject(payload: unknown, username: string) {
  const { name } = parseInput(createProjectSchema, payload);
  const existing = await prisma.project.findUnique({ where: { name } });
  const project = existing ?? (await prisma.project.upsert({ where: { name }, create: { name }, update: {} }));
  return { created: !existing, body: { cuid: project.id, name: project.name, username } };
}

/** What `GET /api/project/{username}/{name}` answers: the SDK reads cuid, name, path, group.username, _count and version. */
export async function describeProject(username: string, name: string) {
  const project = await prisma.project.findUnique({ where: { name }, include: { _count: { select: { runs: true } } } });
  if (!project) throw notFound(`no project ${name}`);
  return {
    cuid: project.id,
    name: project.name,
    username,
    path: `/${username}/${project.name}`,
    visibility: "PRIVATE",
    createdAt: project.createdAt.toISOString(),
    updatedAt: project.createdAt.toISOString(),
    group: { username, name: username },
    projectLabels: [],
    _count: { experiments: project._count.runs },
    version: 1,
  };
}
