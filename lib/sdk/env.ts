/**
 * Reading environment variables through zod schemas, and the SDK's own
 * variables. This is the mechanism every Inkstone process uses: lib/config
 * builds the product's table of variables on it. It lives here so that the
 * SDK, a package of its own, reads its variables the same way without
 * importing anything from the server's side.
 */
import { z } from "zod";

/** Environment variables: process.env, or a hand-made set in tests. */
export type Env = Record<string, string | undefined>;

/** The processes that read variables: `npm start`, `npm run worker`, the trainer's CLIs, a script using the SDK, the test runner. */
export type EnvProcess = "server" | "worker" | "trainer" | "sdk" | "tests";

export interface EnvVariable {
  /** Parses the raw string; an unset (or empty) variable parses `undefined`, so the default lives here. */
  schema: z.ZodType;
  description: string;
  readBy: readonly EnvProcess[];
}

export class EnvError extends Error {}

export function parseVariable(name: string, variable: EnvVariable, source: Env): z.ZodSafeParseResult<unknown> {
  const raw = source[name];
  // An empty variable counts as unset: `FOO= cmd` is the shell's way to clear one for a child.
  return variable.schema.safeParse(raw === "" ? undefined : raw);
}

/** What is wrong with a variable's value, naming it and saying what it is for. */
export function envProblem(name: string, variable: EnvVariable, source: Env, error: z.ZodError): string {
  const why = error.issues.map((i) => i.message).join("; ");
  return `${name}=${JSON.stringify(source[name])} is not valid (${why}). ${name}: ${variable.description}`;
}

/** A variable's value (its default when unset), or an EnvError naming it. */
export function readVariable<V extends EnvVariable>(name: string, variable: V, source: Env = process.env): z.output<V["schema"]> {
  const parsed = parseVariable(name, variable, source);
  if (!parsed.success) throw new EnvError(envProblem(name, variable, source, parsed.error));
  return parsed.data as z.output<V["schema"]>;
}

export const httpUrl = () => z.url({ protocol: /^https?$/, error: "expected an http(s) address" });

/** The variables the SDK reads (lib/config lists them with the rest). */
export const SDK_VARIABLES = {
  INKSTONE_URL: {
    schema: httpUrl().optional(),
    readBy: ["server", "sdk", "trainer"],
    description:
      "The server scripts report to (SDK default http://127.0.0.1:3000); the server gives launched runs its own (default http://127.0.0.1:$PORT).",
  },
  INKSTONE_API_KEY: { schema: z.string().min(1).optional(), readBy: ["sdk"], description: "An API key from Settings that scripts create runs with." },
  INKSTONE_RUN_ID: {
    schema: z.string().min(1).optional(),
    readBy: ["sdk", "trainer"],
    description: "Set by the server or a worker for a run it launched: the SDK reports to that run instead of creating one.",
  },
  INKSTONE_RUN_TOKEN: { schema: z.string().min(1).optional(), readBy: ["sdk"], description: "Set with INKSTONE_RUN_ID: the launched run's token." },
} as const satisfies Record<string, EnvVariable>;

/** One of the SDK's variables. */
export function sdkEnv<N extends keyof typeof SDK_VARIABLES>(name: N, source: Env = process.env): z.output<(typeof SDK_VARIABLES)[N]["schema"]> {
  return readVariable(name, SDK_VARIABLES[name], source);
}
