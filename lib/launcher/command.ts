/**
 * The command a launch runs: `npm run train -- <flags>` by default, or
 * INKSTONE_TRAIN_COMMAND (a JSON array of arguments, or words separated by
 * spaces) — tests point it at a fake trainer.
 */
export const DEFAULT_TRAIN_COMMAND = ["npm", "run", "train", "--"];

export function trainCommand(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env.INKSTONE_TRAIN_COMMAND?.trim();
  if (!raw) return DEFAULT_TRAIN_COMMAND;
  if (raw.startsWith("[")) {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed) || !parsed.length || !parsed.every((a) => typeof a === "string")) {
      throw new Error("INKSTONE_TRAIN_COMMAND: expected a JSON array of strings");
    }
    return parsed as string[];
  }
  return raw.split(/\s+/);
}

/** Variables of the server that a training process must not inherit. */
export const WITHHELD_ENV = ["DATABASE_URL", "INKSTONE_TEST_DATABASE_URL", "NEXTAUTH_SECRET", "AUTH_SECRET", "INKSTONE_TRAIN_COMMAND"];
