/**
 * The command a launch runs: `npm run train`'s script, run by node itself
 * (`node --import tsx trainer/train.ts <flags>`), or INKSTONE_TRAIN_COMMAND (a
 * JSON array of arguments, or words separated by spaces) — tests point it at a
 * fake trainer. Not through npm and the tsx CLI: the group's SIGTERM would reach
 * the trainer twice (a second signal stops it at once), and the tsx CLI
 * SIGKILLs a child that does not acknowledge a signal within ~60 ms, which a
 * trainer busy in a training step cannot do, so no checkpoint would be saved.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readEnv } from "@/lib/config/env";

export const DEFAULT_TRAIN_COMMAND = [process.execPath, "--import", "tsx", "trainer/train.ts"];

export function trainCommand(): string[] {
  return readEnv("INKSTONE_TRAIN_COMMAND") ?? DEFAULT_TRAIN_COMMAND;
}

/** Variables of the server that a training process must not inherit. */
export const WITHHELD_ENV = ["DATABASE_URL", "INKSTONE_TEST_DATABASE_URL", "NEXTAUTH_SECRET", "AUTH_SECRET", "INKSTONE_TRAIN_COMMAND", "INKSTONE_WORKER_TOKEN"];

export interface TrainerSpawnOptions {
  cwd: string;
  /** Variables for this process on top of the server's (less WITHHELD_ENV). */
  env?: Record<string, string>;
  /** Where stdout and stderr go: an open file, or pipes the caller reads. */
  output: number | "pipe";
  /** Its own process group, so one signal stops npm, a shell and the trainer under it together. */
  detached?: boolean;
}

/** Starts a trainer-side process (train, sample, make-tiny): the one place they are spawned, never with the server's secrets. */
export function spawnTrainerProcess(argv: readonly string[], opts: TrainerSpawnOptions): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  for (const name of WITHHELD_ENV) delete env[name];
  return spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env, stdio: ["ignore", opts.output, opts.output], detached: opts.detached ?? false });
}
