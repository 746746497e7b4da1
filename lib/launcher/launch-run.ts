/** The form's two actions: start a run on this machine (queued behind busy slots), and cancel one. */
import { createRun } from "@/lib/runs/create-run";
import { setFinalStatus } from "@/lib/ingest/store";
import { prisma } from "@/lib/prisma";
import { trainCommand } from "./command";
import { kickLauncher } from "./index";
import { enqueueLaunch, getLaunch, queuePosition, requestCancel } from "./queue";
import { formConfig, parseRunForm, runOutputDir, trainerFlags } from "./run-form";

export async function launchFromForm(payload: unknown, opts: { userId?: string; cwd?: string } = {}) {
  const parsed = parseRunForm(payload);
  const created = await createRun({ project: parsed.project, name: parsed.name || undefined, tags: parsed.tags }, { createdById: opts.userId });
  // The run's id names its output folder when the form left it empty, so config and command line follow creation.
  const form = { ...parsed, output_dir: parsed.output_dir ?? runOutputDir(created.id) };
  const argv = [...trainCommand(), ...trainerFlags(form)];
  await prisma.run.update({ where: { id: created.id }, data: { config: formConfig(form) as object, commandLine: argv.map(quoteArg).join(" ") } });
  const { slot } = await enqueueLaunch(created.id, argv, opts.cwd ?? process.cwd());
  kickLauncher();
  // The ingest token stays on the server: the launcher hands a fresh one to the process.
  return { id: created.id, url: created.url, slot };
}

/** Cancels a launch: a queued one becomes cancelled at once, a running one gets SIGTERM. */
export async function cancelLaunch(runId: string): Promise<{ state: "cancelled" | "stopping" }> {
  const outcome = await requestCancel(runId);
  if (outcome === "withdrawn") {
    const run = await prisma.run.findUnique({ where: { id: runId }, select: { status: true } });
    if (run && (run.status === "queued" || run.status === "running")) await setFinalStatus(runId, "cancelled", "cancelled before it started");
    kickLauncher();
    return { state: "cancelled" };
  }
  kickLauncher();
  return { state: "stopping" };
}

export interface LaunchInfo {
  slot: string;
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
