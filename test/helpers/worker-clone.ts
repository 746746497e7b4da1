/**
 * A stand-in for a second clone of Inkstone on a GPU host: a folder of its own
 * (its data/, outputs and launch logs) whose sources are links to this
 * checkout, running `npm run worker`'s command with no database in its environment.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readEnv } from "@/lib/config/env";
import { waitFor } from "./wait-for";

const KEEP_OUT = new Set(["data", ".next", ".git", ".inkstone"]);

export interface WorkerProcess {
  dir: string;
  process: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
  /** Kills the worker and everything it started, as when its host dies. */
  killHost(): Promise<void>;
  close(): Promise<void>;
}

export function startWorkerClone(opts: { server: string; token: string; name: string; env?: Record<string, string> }): WorkerProcess {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `inkstone-worker-${opts.name}-`));
  for (const entry of fs.readdirSync(process.cwd())) {
    if (!KEEP_OUT.has(entry)) fs.symlinkSync(path.resolve(entry), path.join(dir, entry));
  }
  const { DATABASE_URL: _db, INKSTONE_TEST_DATABASE_URL: _test, INKSTONE_DATA_DIR: _data, ...env } = process.env;
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts", "--server", opts.server, "--token", opts.token, "--name", opts.name], {
    cwd: dir,
    env: { ...env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own group, so killHost() takes its trainers down with it.
    detached: true,
  });
  let output = "";
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    if (readEnv("INKSTONE_TEST_VERBOSE")) process.stderr.write(`[${opts.name}] ${chunk}`);
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    dir,
    process: child,
    output: () => output,
    async waitFor(pattern, ms = 60_000) {
      const printed = () => {
        if (pattern.test(output)) return true;
        if (!alive()) throw new Error(`worker ${opts.name} exited before printing ${pattern}:\n${output}`);
        return false;
      };
      await waitFor(printed, { what: `worker ${opts.name} to print ${pattern}`, describe: () => `\n${output}`, timeout: ms, interval: 50 });
    },
    async killHost() {
      // The worker first, so that it cannot report its trainers' deaths; they run in
      // process groups of their own, with their pids in the worker's log.
      if (alive()) process.kill(-child.pid!, "SIGKILL");
      await exited;
      for (const [, pid] of output.matchAll(/\(pid (\d+)\)/g)) {
        try {
          process.kill(-Number(pid), "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    },
    async close() {
      if (alive()) {
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      }
      if (alive()) await this.killHost();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
