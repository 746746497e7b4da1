/** Where a launched run runs or ran, in words, for the run page and the runs table. */
import path from "node:path";
import type { LaunchTarget } from "@/generated/prisma/client";

export interface PlacedLaunch {
  target: LaunchTarget;
  host: string | null;
  startedAt: Date | null;
  worker: { name: string } | null;
  targetWorker: { name: string } | null;
}

/** "worker host-a (gpu-box-1)", "this server (gpu-box)", or "any worker" while still queued. */
export function describePlace(launch: PlacedLaunch): string {
  if (launch.worker) return `worker ${launch.worker.name}${launch.host ? ` (${launch.host})` : ""}`;
  if (launch.targetWorker) return `worker ${launch.targetWorker.name}`;
  if (launch.target === "any_worker") return "any worker";
  return launch.startedAt && launch.host ? `this server (${launch.host})` : "this server";
}

/** The output folder on the disk of the machine that runs it, once claimed (cwd is that machine's). */
export function launchOutputDir(launch: { startedAt: Date | null; cwd: string; flags: string[]; argv: string[] }): string | null {
  const flag = [...launch.flags, ...launch.argv].find((a) => a.startsWith("--output_dir="));
  return flag && launch.startedAt && launch.cwd ? path.resolve(launch.cwd, flag.slice("--output_dir=".length)) : null;
}

/** The Prisma select that describePlace and launchOutputDir need. */
export const PLACE_SELECT = {
  target: true,
  host: true,
  startedAt: true,
  cwd: true,
  flags: true,
  argv: true,
  worker: { select: { name: true } },
  targetWorker: { select: { name: true } },
} as const;
