/**
 * Device slots: one training process at a time per GPU, or one on the CPU
 * when there is none. INKSTONE_LAUNCH_SLOTS (e.g. "cpu" or "gpu0,gpu1") overrides detection.
 */
import { execFileSync } from "node:child_process";
import { readEnv } from "@/lib/config/env";

let detected: string[] | undefined;

export function launchSlots(): string[] {
  const configured = readEnv("INKSTONE_LAUNCH_SLOTS");
  if (configured?.length) return configured;
  detected ??= detectGpus();
  return detected;
}

export function hasGpu(): boolean {
  return launchSlots().some((s) => s.startsWith("gpu"));
}

function detectGpus(): string[] {
  try {
    const out = execFileSync("nvidia-smi", ["-L"], { encoding: "utf8", timeout: 5000, stdio: ["ignore", "pipe", "ignore"] });
    const count = out.split("\n").filter((l) => l.startsWith("GPU ")).length;
    if (count) return Array.from({ length: count }, (_, i) => `gpu${i}`);
  } catch {
    // No NVIDIA driver: train on the CPU.
  }
  return ["cpu"];
}

/** Environment that pins a process to its slot's device. */
export function slotEnv(slot: string): Record<string, string> {
  const gpu = /^gpu(\d+)$/.exec(slot);
  return gpu ? { CUDA_VISIBLE_DEVICES: gpu[1] } : {};
}
