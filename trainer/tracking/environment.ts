/**
 * What the trainer adds to the SDK's environment document: the TensorFlow.js
 * version and backend, GPUs (nvidia-smi), git state and package versions.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
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

/** Versions of the packages the project depends on, as installed. */
function packageVersions(root: string): Record<string, string> {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
  const out: Record<string, string> = {};
  for (const name of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies }).sort()) {
    try {
      out[name] = (JSON.parse(fs.readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
    } catch {
      // An optional dependency that is not installed here.
    }
  }
  return out;
}

export async function trainerEnvironment(root = process.cwd()): Promise<Record<string, unknown>> {
  const gpus = await readGpus();
  return {
    tensorflow: { version: tf.version.tfjs, backend: tf.getBackend() },
    gpu: gpus.map((g) => ({ index: g.index, name: g.name, driver: g.driver, memoryMiB: g.memoryTotalMiB })),
    git: { commit: git(["rev-parse", "HEAD"]), branch: git(["rev-parse", "--abbrev-ref", "HEAD"]), dirty: (git(["status", "--porcelain"]) ?? "") !== "" },
    packages: packageVersions(root),
  };
}
