/**
 * The Launcher that spawns the training command as a child process, one per
 * device slot at a time. Children run in their own process group with their
 * console going to a file, so they outlive a server restart; the next server
 * adopts them (by pid) and marks a vanished one failed with its last output.
 * Several servers may share the queue: each claims launches under its own id
 * and renews the claims while it lives (lib/server/launcher/queue.ts).
 */
import type { ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import { prisma } from "@/lib/server/db/prisma";
import type { Launcher, ProcessOutcome } from "./launcher";
import { spawnTrainerProcess } from "./command";
import { openOutputLog, outputTail } from "./output-log";
import { activeLaunches, adoptLapsedClaims, adoptQueuedFromMissingSlots, busySlots, claimNextQueued, recordPid, releaseClaims, renewClaims, type Claimer } from "./queue";
import { issueRunToken } from "./run-token";
import { settleExit } from "./settle-exit";
import { launchSlots, slotEnv } from "./slots";
import { syncLaunchedSpools } from "./spools";
import { ensureTinyDemo } from "./tiny-demo";
import { isProcessAlive } from "@/lib/server/process-alive";

const POLL_MS = 1000;

export class ProcessLauncher implements Launcher {
  private readonly children = new Map<string, ChildProcess>();
  private readonly signalled = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  /** The tick in progress, if any. */
  private ticking: Promise<void> | undefined;
  private again = false;
  private readonly claimer: Claimer = { host: os.hostname(), id: `${os.hostname()}/${process.pid}/${crypto.randomBytes(4).toString("hex")}` };

  constructor(private readonly opts: { url: string; log?: (line: string) => void }) {}

  start(): () => Promise<void> {
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.timer.unref();
    this.kick();
    void this.syncEndedSpools();
    return async () => {
      clearInterval(this.timer);
      this.timer = undefined;
      // After the last tick, which would renew the claims again.
      await this.ticking;
      await releaseClaims(this.claimer);
    };
  }

  kick(): void {
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = this.tick()
      .catch((err: unknown) => this.log(`inkstone: launcher: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        this.ticking = undefined;
        if (this.again && this.timer) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async tick(): Promise<void> {
    await renewClaims(this.claimer);
    await adoptLapsedClaims(this.claimer);
    const active = await activeLaunches(this.claimer);
    for (const launch of active) {
      if (launch.cancelRequested && !this.signalled.has(launch.runId)) this.terminate(launch.runId, launch.pid);
      // Started by an earlier server: watch it by pid.
      if (!this.children.has(launch.runId) && !(launch.pid && isProcessAlive(launch.pid))) {
        await this.finish(launch.runId, { exitCode: null, signal: null, lost: true });
      }
    }
    const busy = await busySlots(this.claimer.host);
    const slots = launchSlots();
    await adoptQueuedFromMissingSlots(slots);
    for (const slot of slots) {
      if (busy.has(slot)) continue;
      const next = await claimNextQueued(slot, this.claimer);
      if (next) await this.spawn(next.runId, next.argv, next.cwd, slot);
    }
  }

  private async spawn(runId: string, argv: string[], cwd: string, slot: string): Promise<void> {
    const token = await issueRunToken(runId);
    const env = { ...slotEnv(slot), INKSTONE_URL: this.opts.url, INKSTONE_RUN_ID: runId, INKSTONE_RUN_TOKEN: token };
    const out = openOutputLog(runId);
    let child: ChildProcess;
    try {
      await ensureTinyDemo(argv, cwd, out);
      child = spawnTrainerProcess(argv, { cwd, env, output: out, detached: true });
    } catch (err) {
      fs.closeSync(out);
      await this.finish(runId, { exitCode: null, signal: null, spawnError: err instanceof Error ? err.message : String(err) });
      return;
    }
    fs.closeSync(out);
    this.children.set(runId, child);
    child.once("error", (err) => void this.finish(runId, { exitCode: null, signal: null, spawnError: err.message }));
    child.once("exit", (code, signal) => void this.finish(runId, { exitCode: code, signal }));
    if (child.pid) await recordPid(runId, child.pid);
    this.log(`inkstone: launched run ${runId} on ${slot} (pid ${child.pid})`);
  }

  /** SIGTERM to the whole process group: npm, the shell and the trainer all get it. */
  private terminate(runId: string, pid: number | null): void {
    const target = this.children.get(runId)?.pid ?? pid;
    this.signalled.add(runId);
    if (!target) return;
    try {
      process.kill(-target, "SIGTERM");
    } catch {
      try {
        process.kill(target, "SIGTERM");
      } catch {
        // Already gone: the exit handler or the next tick settles it.
      }
    }
  }

  private async finish(runId: string, outcome: ProcessOutcome): Promise<void> {
    if (!this.children.has(runId) && !outcome.lost && !outcome.spawnError) return;
    const child = this.children.get(runId);
    this.children.delete(runId);
    child?.removeAllListeners();
    this.signalled.delete(runId);
    const settled = await settleExit(runId, outcome, outputTail(runId), (launch) =>
      // What the run could not deliver itself goes in first, its final status included.
      syncLaunchedSpools(runId, launch.argv, launch.cwd, this.opts.url, (l) => this.log(l)).then(
        () => undefined,
        (err: unknown) => this.log(`inkstone: run ${runId}'s spool: ${err instanceof Error ? err.message : String(err)}`),
      ),
    );
    if (settled) this.kick();
  }

  /** Spools of runs that ended while no server was watching (or whose upload failed): uploaded once at start. */
  private async syncEndedSpools(): Promise<void> {
    try {
      // Spools live on the disk of the machine that ran the trainer: this one's only (a worker's stay on its own).
      const ended = await prisma.launch.findMany({
        where: { exitedAt: { not: null }, workerId: null, OR: [{ host: this.claimer.host }, { host: null }] },
        select: { runId: true, argv: true, cwd: true },
      });
      for (const l of ended) await syncLaunchedSpools(l.runId, l.argv, l.cwd, this.opts.url, (line) => this.log(line));
    } catch (err) {
      this.log(`inkstone: syncing launched runs' spools: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private log(line: string): void {
    (this.opts.log ?? console.log)(line);
  }
}
