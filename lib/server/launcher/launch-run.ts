/** The form's two actions: start a run (on this server, queued behind busy slots, or on a worker), and cancel one. */
import { createRun } from "@/lib/server/runs/create-run";
import { prisma } from "@/lib/server/db/prisma";
import { moveRun, NOT_ENDED } from "@/lib/server/runs/status";
import { trainCommand } from "./command";
import { kickLauncher } from "./index";
import { enqueueLaunch, getLaunch, queuePosition, requestCancel, type LaunchPlace } from "./queue";
import { describePlace, launchOutputDir } from "./place";
import { FormError, formConfig, parseRunForm, runOutputDir, trainerFlags } from "./run-form";

/** The form's `runs_on`: "server" (default), "any_worker", or "worker:<id>" of an active worker. */
async function parsePlace(value: unknown): Promise<LaunchPlace> {
  if (value === undefined || value === "" || value === "server") return { target: "server" };
  if (value === "any_worker") return { target: "any_worker" };
  const workerId = typeof value === "string" && value.startsWith("worker:") ? value.slice("worker:".length) : undefined;
  const worker = workerId ? await prisma.worker.findUnique({ where: { id: workerId }, select: { revokedAt: true } }) : null;
  if (!workerId || !worker) throw new FormError({ runs_on: 'choose "server", "any_worker" or "worker:<id>" of a worker in Settings' });
  if (worker.revokedAt) throw new FormError({ runs_on: "this worker's token was revoked" });
  return { target: "worker", workerId };
}

export async function launchFromForm(payload: unknown, opts: { userId?: string; cwd?: string } = {}) {
  const parsed = parseRunForm(payload);
  const place = await parsePlace((payload as { runs_on?: unknown } | null)?.runs_on);
  const created = await createRun({ project: parsed.project, name: parsed.name || undefined, tags: parsed.tags }, { createdById: opts.userId });
  // The run's id names its output folder when the form left it empty, so config and command line follow creation.
  const form = { ...parsed, output_dir: parsed.output_dir ?? runOutputDir(created.id) };
  const flags = trainerFlags(form);
  const argv = [...trainCommand(), ...flags];
  await prisma.run.update({ where: { id: created.id }, data: { config: formConfig(form) as object, commandLine: argv.map(quoteArg).join(" ") } });
  const { slot } = await enqueueLaunch({ runId: created.id, argv, flags, cwd: opts.cwd ?? process.cwd(), place });
  kickLauncher();
  // The ingest token stays on the server: the launcher hands a fresh one to the process.
  return { id: created.id, url: created.url, slot };
}

/** Cancels a launch: a queued one becomes cancelled at once, a running one gets SIGTERM. */
export async function cancelLaunch(runId: string): Promise<{ state: "cancelled" | "stopping" }> {
  const outcome = await requestCancel(runId);
  if (outcome === "withdrawn") {
    await moveRun(runId, "cancelled", { from: NOT_ENDED, error: "cancelled before it started" });
    kickLauncher();
    return { state: "cancelled" };
  }
  kickLauncher();
  return { state: "stopping" };
}

export interface LaunchInfo {
  slot: string;
  /** Where it runs or ran (describePlace). */
  runsOn: string;
  /** The machine, once claimed. */
  host: string | null;
  /** The output folder on that machine's disk. */
  outputDir: string | null;
  state: "queued" | "running" | "exited";
  /** 1 = next in its slot's queue. */
  position: number | null;
  exitCode: number | null;
  cancelRequested: boolean;
}

export async function launchInfo(runId: string): Promise<LaunchInfo | null> {
  const launch = await getLaunch(runId);
  if (!launch) return null;
  const state = launch.exitedAt ? "exited" : launch.startedAt ? "running" : "queued";
  return {
    slot: launch.slot,
    runsOn: describePlace(launch),
    host: launch.startedAt ? launch.host : null,
    outputDir: launchOutputDir(launch),
    state,
    position: state === "queued" ? await queuePosition(runId) : null,
    exitCode: launch.exitCode,
    cancelRequested: launch.cancelRequested,
  };
}

/** Shell-style quoting, only for showing the command line to people. */
function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}
