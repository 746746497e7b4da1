/**
 * What a share link shows of a run to someone outside the team: the run's
 * charts, images, config and logs, but not where it ran. The server's paths,
 * hostname, process id and the full command line (which names paths and
 * flags) are left out of the environment, the run details and the output
 * listing; the runtime, hardware and packages stay, as a W&B public run shows them.
 */
import path from "node:path";
import type { RunOutput } from "@/lib/server/runs/output";

/** Environment keys (top level or under `runtime`) that locate the run on its machine. */
const SERVER_DETAILS = new Set(["hostname", "pid", "cwd", "commandLine", "command", "argv", "executable", "home", "user"]);

function withoutServerKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !SERVER_DETAILS.has(k)));
}

/** A run's details with the environment's server details and the command line removed. */
export function publicRunDetails<T extends { environment: Record<string, unknown> | null; commandLine: string | null }>(run: T): T {
  const env = run.environment;
  if (!env) return { ...run, commandLine: null };
  const runtime = env.runtime;
  const publicEnv = withoutServerKeys(env);
  if (runtime && typeof runtime === "object" && !Array.isArray(runtime)) publicEnv.runtime = withoutServerKeys(runtime as Record<string, unknown>);
  return { ...run, environment: publicEnv, commandLine: null };
}

/** The output listing with the folder's name only (not its path on the server) and no command line. */
export function publicRunOutput(output: RunOutput): RunOutput {
  return { ...output, path: output.path && path.basename(output.path), configured: output.configured && path.basename(output.configured), sampleCommand: null };
}
