import type { z } from "zod";
import { describeZodError } from "../../protocol/schemas";
import { badRequest } from "./errors";
import type { Refusal } from "../../protocol/wire";

/** Parses untrusted input with a schema, or throws a 400 that names the bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw badRequest(describeZodError(result.error));
  return result.data;
}

/**
 * Parses each item of a batch on its own: the valid ones with their
 * positions, and a refusal naming the field for each invalid one. Throws a
 * 400 when no item is valid, so a batch that stores nothing is an error.
 */
export function parseEach<S extends z.ZodType>(
  schema: S,
  items: unknown[],
  field: string,
): { valid: { index: number; value: z.output<S> }[]; refused: Refusal[] } {
  const valid: { index: number; value: z.output<S> }[] = [];
  const refused: Refusal[] = [];
  items.forEach((item, index) => {
    const result = schema.safeParse(item);
    if (result.success) valid.push({ index, value: result.data });
    else refused.push({ index, error: describeZodError(result.error, [field, index]) });
  });
  if (!valid.length) {
    const more = refused.length > 1 ? ` (and ${refused.length - 1} more refused)` : "";
    throw badRequest(refused[0].error + more);
  }
  return { valid, refused };
}
