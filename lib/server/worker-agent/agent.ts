/**
 * A remote GPU worker (`npm run worker`): registers with the server, then
 * every few seconds heartbeats (GPU utilisation in, cancels out) and, for each
 * free device, claims a queued launch and runs the trainer on this machine
 * with the same environment the server's own launcher gives it, so the run
 * streams through the SDK as usual. It talks to the server over HTTP only.
 */
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { spawnTrainerProcess, trainCommand } from "@/lib/server/launcher/command";
import type { ProcessOutcome } from "@/lib/server/launcher/launcher";
import { openOutputLog, outputTail } from "@/lib/server/launcher/output-log";
import { slotEnv } from "@/lib/server/launcher/slots";
import { ensureTinyDemo } from "@/lib/server/launcher/tiny-demo";
import type { ClaimedLaunch, ExitReport, HeartbeatResponse, RegisterRequest } from "@/lib/server/workers/protocol";
import { probeBackend, queryGpus } from "./host-info";
import { ServerClient, ServerError } from "./server-client";

export interface WorkerOptions {
  server: string;
  token: string;
  /** Devices to use: "gpu0", "gpu1", ... or "cpu". */
  slots: string[];
  name?: string;
  version: string;
  log?: (line: string) => void;
  /** Called once the worker stopped because the server refused its token (revoked in Settings). */
  onRevoked?: () => void;
}

interface Job {
  runId: string;
  slot: string;
  child?: ChildProcess;
  terminated: boolean;
}

export class WorkerAgent {
  private readonly client: ServerClient;
  private readonly jobs = new Map<string, Job>();
  /** Exit reports the server has not acknowledged yet; retried every poll. */
  private readonly unreported = new Map<string, ExitReport>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private stopping = false;

  constructor(private readonly opts: WorkerOptions) {
    this.client = new ServerClient(opts.server.replace(/\/+$/, ""), opts.token);
  }

  async start(): Promise<void> {
    const registration: RegisterRequest = {
      name: this.opts.name,
      hostname: os.hostname(),
      gpus: await queryGpus(),
      backend: await probeBackend(),
      version: this.opts.version,
      workDir: process.cwd(),
    };
    const me = await this.client.post<{ id: string; name: string; pollMs: number }>("register", registration);
    this.log(`inkstone worker: registered as ${me.name} with ${this.opts.server} (${this.opts.slots.join(", ")}, backend ${registration.backend})`);
    this.timer = setInterval(() => void this.poll(), me.pollMs);
    await this.poll();
  }

  /** Stops claiming, asks every trainer to save and stop (SIGTERM), and reports their exits. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const job of this.jobs.values()) this.terminate(job);
    while (this.jobs.size) await new Promise((r) => setTimeout(r, 100));
    clearInterval(this.timer);
    await this.reportExits();
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await this.reportExits();
      const reply = await this.client.post<HeartbeatResponse>("heartbeat", { gpus: await queryGpus(), running: [...this.jobs.keys()] });
      for (const runId of reply.cancel) {
        const job = this.jobs.get(runId);
        if (job && !job.terminated) {
          this.log(`inkstone worker: cancel of run ${runId} requested`);
          this.terminate(job);
        }
      }
      if (this.stopping) return;
      const busy = new Set([...this.jobs.values()].map((j) => j.slot));
      for (const slot of this.opts.slots.filter((s) => !busy.has(s))) {
        const { launch } = await this.client.post<{ launch: ClaimedLaunch | null }>("claim", { slot });
        if (!launch) break;
        await this.run(launch, slot);
      }
    } catch (err) {
      if (err instanceof ServerError && err.status === 401 && !this.stopping) {
        this.log(`inkstone worker: the server refuses this worker's token (${err.message}); stopping`);
        this.polling = false;
        await this.stop().catch(() => {});
        this.opts.onRevoked?.();
        return;
      }
      this.log(`inkstone worker: ${err instanceof Error ? err.message : String(err)} (retrying)`);
    } finally {
      this.polling = false;
    }
  }

  private async run(launch: ClaimedLaunch, slot: string): Promise<void> {
    const job: Job = { runId: launch.runId, slot, terminated: false };
    this.jobs.set(launch.runId, job);
    const argv = [...trainCommand(), ...launch.flags];
    const env = { ...slotEnv(slot), INKSTONE_URL: this.opts.server, INKSTONE_RUN_ID: launch.runId, INKSTONE_RUN_TOKEN: launch.token };
    const out = openOutputLog(launch.runId);
    try {
      await ensureTinyDemo(argv, process.cwd(), out);
      // Its own process group, so that SIGTERM reaches the whole tree (as the server's launcher does).
      job.child = spawnTrainerProcess(argv, { cwd: process.cwd(), env, output: out, detached: true });
    } catch (err) {
      this.exited(job, { exitCode: null, signal: null, spawnError: err instanceof Error ? err.message : String(err) });
      return;
    } finally {
      fs.closeSync(out);
    }
    job.child.once("error", (err) => this.exited(job, { exitCode: null, signal: null, spawnError: err.message }));
    job.child.once("exit", (code, signal) => this.exited(job, { exitCode: code, signal }));
    this.log(`inkstone worker: running run ${launch.runId} on ${slot} (pid ${job.child.pid})`);
  }

  private terminate(job: Job): void {
    job.terminated = true;
    const pid = job.child?.pid;
    if (!pid) return;
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      // Already gone: its exit handler reports it.
    }
  }

  private exited(job: Job, outcome: ProcessOutcome): void {
    if (!this.jobs.delete(job.runId)) return;
    job.child?.removeAllListeners();
    this.log(`inkstone worker: run ${job.runId} ended (${outcome.spawnError ?? (outcome.signal ? `signal ${outcome.signal}` : `exit code ${outcome.exitCode}`)})`);
    this.unreported.set(job.runId, { exitCode: outcome.exitCode, signal: outcome.signal, spawnError: outcome.spawnError, outputTail: outputTail(job.runId) });
    void this.poll();
  }

  private async reportExits(): Promise<void> {
    for (const [runId, report] of this.unreported) {
      await this.client.post(`runs/${encodeURIComponent(runId)}/exit`, report);
      this.unreported.delete(runId);
    }
  }

  private log(line: string): void {
    (this.opts.log ?? console.log)(line);
  }
}
