import { prisma } from "@/lib/server/db/prisma";
import { createRunSchema, type CreateRunInput } from "@/lib/protocol/schemas";
import { newToken, sha256 } from "@/lib/server/tokens";
import { parseInput } from "@/lib/server/http/validate";

export interface CreatedRun {
  id: string;
  /** The ingest token: returned once, stored only as a hash. */
  token: string;
  /** Path of the run's page, relative to the server's origin. */
  url: string;
}

/** Creates a queued run (and its project on first use) with a fresh ingest token. */
export async function createRun(input: CreateRunInput | unknown, opts: { createdById?: string } = {}): Promise<CreatedRun> {
  const data = parseInput(createRunSchema, input);
  const token = newToken();
  // INSERT … ON CONFLICT DO NOTHING, then read: trainers starting together in a new project
  // (on one instance or several) must not race each other into a unique violation, as upsert can.
  await prisma.project.createMany({ data: [{ name: data.project }], skipDuplicates: true });
  const project = await prisma.project.findUniqueOrThrow({ where: { name: data.project }, select: { id: true } });
  const run = await prisma.run.create({
    data: {
      projectId: project.id,
      name: data.name ?? defaultRunName(),
      config: data.config as object,
      tags: data.tags,
      notes: data.notes,
      commandLine: data.commandLine,
      ingestTokenHash: sha256(token),
      createdById: opts.createdById,
    },
  });
  return { id: run.id, token, url: `/runs/${run.id}` };
}

/** A readable default like W&B's, e.g. "run-20261125-181203". */
function defaultRunName(): string {
  return `run-${new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)}`;
}
