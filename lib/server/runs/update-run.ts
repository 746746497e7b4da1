/** Edits a run's user-facing fields from the dashboard: name, notes and tags. */
import { z } from "zod";
import { freeText, nameText } from "@/lib/protocol/schemas";
import { prisma } from "@/lib/server/db/prisma";
import { LIMITS } from "@/lib/protocol/wire";
import { parseInput } from "@/lib/server/http/validate";
import { badRequest, notFound } from "@/lib/server/http/errors";

export const updateRunSchema = z
  .object({
    name: nameText(LIMITS.keyLength, "name").pipe(z.string().trim().min(1, "name must not be empty")).optional(),
    notes: freeText(100_000).optional(),
    tags: z
      .array(nameText(64, "a tag").pipe(z.string().trim().min(1, "a tag must not be empty")))
      .max(64, "at most 64 tags")
      .optional(),
  })
  .strict();

export async function updateRun(runId: string, payload: unknown) {
  const input = parseInput(updateRunSchema, payload);
  if (input.name === undefined && input.notes === undefined && input.tags === undefined) {
    throw badRequest("body: nothing to update (name, notes or tags)");
  }
  const tags = input.tags ? [...new Set(input.tags)] : undefined;
  const updated = await prisma.run
    .update({
      where: { id: runId },
      data: { name: input.name, notes: input.notes, tags },
      select: { id: true, name: true, notes: true, tags: true },
    })
    .catch((err: unknown) => {
      if ((err as { code?: string }).code === "P2025") throw notFound(`unknown run ${runId}`);
      throw err;
    });
  return updated;
}
