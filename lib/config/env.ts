/**
 * The one way Inkstone reads environment variables: through readEnv() and the
 * table in ./variables.ts, which gives each a zod schema (with its default)
 * and a line saying what it does (the mechanism is lib/sdk/env.ts's, so that
 * the SDK package reads its own the same way). A bad value is an EnvError naming the variable; each
 * process checks all of its variables when it starts (checkEnv), so a typo
 * stops it at once instead of surfacing later as NaN or a silent default.
 * Server, worker, trainer, SDK and tests only: the browser reads none.
 */
import type { z } from "zod";
import { envProblem, parseVariable, readVariable, EnvError, type Env } from "../sdk/env";
import { VARIABLES, type EnvProcess, type EnvVariable } from "./variables";

export { EnvError, type Env };

export type VariableName = keyof typeof VARIABLES;
type ValueOf<N extends VariableName> = z.output<(typeof VARIABLES)[N]["schema"]>;

/** A variable's value (its default when unset), or an EnvError naming it. */
export function readEnv<N extends VariableName>(name: N, source: Env = process.env): ValueOf<N> {
  return readVariable(name, VARIABLES[name] as EnvVariable, source) as ValueOf<N>;
}

/** Checks every variable one process reads, at its start: one EnvError listing each bad value. */
export function checkEnv(process_: EnvProcess, source: Env = process.env): void {
  const problems = Object.entries(VARIABLES as Record<string, EnvVariable>).flatMap(([name, variable]) => {
    if (!variable.readBy.includes(process_)) return [];
    const parsed = parseVariable(name, variable, source);
    return parsed.success ? [] : [envProblem(name, variable, source, parsed.error)];
  });
  if (problems.length) throw new EnvError(`invalid environment for the ${process_}:\n  ${problems.join("\n  ")}`);
}

/** checkEnv for a command's entry point: a bad environment prints one message and exits with status 2. */
export function checkEnvOrExit(process_: EnvProcess, prog: string): void {
  try {
    checkEnv(process_);
  } catch (err) {
    if (!(err instanceof EnvError)) throw err;
    console.error(`${prog}: ${err.message}`);
    process.exit(2);
  }
}

/** The value a variable takes when unset, or undefined when it has none (or one worked out at run time). */
export function defaultOf(variable: EnvVariable): unknown {
  const parsed = variable.schema.safeParse(undefined);
  return parsed.success ? parsed.data : undefined;
}
