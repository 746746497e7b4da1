/**
 * The environment document a run records: runtime, TensorFlow.js backend,
 * hardware, GPUs, git state, command line and package versions.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { readGpus } from "./nvidia_smi";

function git(args: string[]): string | null {
  try {
    return execFileSync("git", args, { stdio: ["ignore", "pipe", "ignore"], timeout: 5000 }).toString().trim();
  } catch {
    return null;
  }
}

/** Versions of the packages the trainer depends on, as installed. */
function packageVersions(root: string): Record<string, string> {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
  const names = Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies });
  const out: Record<string, string> = {};
  for (const name of names.sort()) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8")) as { version: string };
      out[name] = pkg.version;
    } catch {
      // An optional dependency that is not installed here.
    }
  }
  return out;
}

export async function collectEnvironment(opts: { argv: string[]; root?: string }): Promise<Record<string, unknown>> {
  const root = opts.root ?? process.cwd();
  const cpus = os.cpus();
  const gpus = await readGpus();
  return {
    runtime: {
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      os: `${os.type()} ${os.release()}`,
      hostname: os.hostname(),
      pid: process.pid,
    },
    tensorflow: { version: tf.version.tfjs, backend: tf.getBackend() },
    hardware: {
      cpu: cpus[0]?.model ?? "unknown",
      cores: cpus.length,
      memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    },
    gpu: gpus.map((g) => ({ index: g.index, name: g.name, driver: g.driver, memoryMiB: g.memoryTotalMiB })),
    git: { commit: git(["rev-parse", "HEAD"]), branch: git(["rev-parse", "--abbrev-ref", "HEAD"]), dirty: (git(["status", "--porcelain"]) ?? "") !== "" },
    commandLine: opts.argv.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(" "),
    packages: packageVersions(root),
  };
}
