import type { z } from "zod";
import { describeZodError } from "./protocol-schemas";
import { badRequest } from "./errors";

/** Parses untrusted input with a schema, or throws a 400 that names the bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw badRequest(describeZodError(result.error));
  return result.data;
}
