/**
 * What a worker tells the server about its machine: GPUs with memory and
 * utilisation (nvidia-smi, when present) and the TensorFlow.js backend its
 * trainer would pick (asked of the trainer itself, in a short child process).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { z } from "zod";
import type { gpuSchema } from "@/lib/server/workers/protocol";

const run = promisify(execFile);
export type Gpu = z.infer<typeof gpuSchema>;

/** [] on a machine without an NVIDIA driver. */
export async function queryGpus(): Promise<Gpu[]> {
  try {
    const { stdout } = await run("nvidia-smi", ["--query-gpu=index,name,memory.total,utilization.gpu", "--format=csv,noheader,nounits"], { timeout: 5000 });
    return stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [index, name, memory, utilization] = line.split(",").map((s) => s.trim());
        const util = Number(utilization);
        return { index: Number(index), name, memoryMiB: Number(memory), utilization: Number.isFinite(util) ? util : null };
      });
  } catch {
    return [];
  }
}

/** The backend the trainer selects here ("tensorflow", "wasm", ...), or "unknown" when the probe fails. */
export async function probeBackend(): Promise<string> {
  const script = 'import("./trainer/backend.ts").then((m) => m.selectBackend()).then((name) => { console.log("backend=" + name); process.exit(0); })';
  try {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "-e", script], { timeout: 120_000 });
    return /backend=(\S+)/.exec(stdout)?.[1] ?? "unknown";
  } catch {
    return "unknown";
  }
}
