import * as tf from "@tensorflow/tfjs";
import { createRequire } from "node:module";
import path from "node:path";
import { registerWasmKernels } from "./kernels/register_wasm";
import { registerWebGpuKernels } from "./kernels/register_webgpu";
import { boundBufferPool, type TfjsBufferManager } from "./webgpu_buffer_pool";
import { requestTrainerDevice } from "./webgpu_device";

import { BACKENDS, type BackendName } from "./backend_names";
import { readEnv } from "@/lib/config/env";

export { BACKENDS, type BackendName };

/** Imports an optional package by name; a variable specifier keeps tsc from requiring it to be installed. */
async function tryImport(specifier: string): Promise<Record<string, unknown> | null> {
  try {
    return (await import(specifier)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Dawn's GPU object: what `navigator.gpu` is in a browser. */
interface DawnGpu {
  requestAdapter(options?: { powerPreference?: "high-performance" | "low-power" }): Promise<{ info: { vendor: string; architecture: string; description: string; isFallbackAdapter?: boolean } } | null>;
}

/**
 * WebGPU through Dawn (the `webgpu` package). tfjs-backend-webgpu registers itself only if
 * navigator.gpu exists when its module is evaluated, so the module is imported here, after Dawn's
 * GPU object is installed (a literal specifier: a bundler inlines it, keeping one tfjs-core).
 * A software adapter (lavapipe, SwiftShader) is used only when webgpu was asked for by name.
 */
async function initWebGpu(forced: boolean): Promise<string | null> {
  let dawn: { create(flags: string[]): DawnGpu; globals: object };
  try {
    dawn = await import("webgpu");
  } catch {
    return null; // no dawn.node for this platform
  }
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) return null;
  const { vendor, architecture, description, isFallbackAdapter } = adapter.info;
  const named = `${description || vendor} (${vendor}${architecture ? `, ${architecture}` : ""})`;
  if (isFallbackAdapter && !forced) {
    console.log(`[inkstone] webgpu: skipping the software adapter ${named}; ask for it with --backend webgpu or INKSTONE_BACKEND=webgpu`);
    return null;
  }
  Object.assign(globalThis, dawn.globals);
  const nav = (globalThis.navigator ?? Object.assign(globalThis, { navigator: {} }).navigator) as object;
  Object.defineProperty(nav, "gpu", { value: gpu, configurable: true });
  const { WebGPUBackend } = await import("@tensorflow/tfjs-backend-webgpu");
  // tfjs's own registration asks for the default 8 storage buffers per shader stage; the
  // multi-tensor optimizer kernels bind one per tensor, so the device is requested here instead.
  tf.removeBackend("webgpu");
  tf.registerBackend("webgpu", async () => new WebGPUBackend(await requestTrainerDevice(adapter as unknown as GPUAdapter), adapter.info as GPUAdapterInfo), 3);
  if (!(await tf.setBackend("webgpu"))) return null;
  const backend = tf.backend() as unknown as { device: GPUDevice; bufferManager: TfjsBufferManager };
  const poolMiB = readEnv("INKSTONE_WEBGPU_POOL_MB");
  if (poolMiB !== undefined) boundBufferPool(backend.bufferManager, poolMiB * 2 ** 20);
  const storageBuffers = backend.device.limits.maxStorageBuffersPerShaderStage;
  const kernels = registerWebGpuKernels();
  return `tfjs-backend-webgpu on Dawn, ${isFallbackAdapter ? "software" : "hardware"} adapter ${named}, ${storageBuffers} storage buffers per shader stage, ${poolMiB === undefined ? "unbounded" : `${poolMiB} MiB`} buffer pool; own kernels: ${kernels.join(", ")}, fused GroupNorm(+SiLU)/LayerNorm, SiLU, GEGLU, attention`;
}

/** Brings a backend up and returns a short description of it, or null when it is unavailable here. */
async function initBackend(name: BackendName, forced: boolean): Promise<string | null> {
  if (name === "tensorflow") {
    // Either package registers the "tensorflow" backend on import.
    for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
      if ((await tryImport(pkg)) && (await tf.setBackend("tensorflow"))) return pkg;
    }
    return null;
  }
  if (name === "webgpu") return initWebGpu(forced);
  if (name === "wasm") {
    const wasm = (await tryImport("@tensorflow/tfjs-backend-wasm")) as { setWasmPaths(prefix: string): void; getThreadsCount(): number } | null;
    if (!wasm) return null;
    // In Node the .wasm binaries are read from disk: point at the package's dist folder.
    const entry = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
    wasm.setWasmPaths(path.dirname(entry) + path.sep);
    if (!(await tf.setBackend("wasm"))) return null;
    const kernels = registerWasmKernels("wasm");
    const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) ? "SIMD" : "no SIMD";
    const threads = wasm.getThreadsCount();
    return `${simd}, ${threads} thread${threads === 1 ? "" : "s"}, 4 GiB memory cap; own kernels: ${kernels.join(", ")}`;
  }
  return (await tf.setBackend("cpu")) ? "pure JS, slowest" : null;
}

function isBackendName(name: string): name is BackendName {
  return (BACKENDS as readonly string[]).includes(name);
}

/** The backends to try: the forced one alone, or all of them in order of preference. */
export function backendCandidates(forced: string | null): readonly BackendName[] {
  if (forced === null) return BACKENDS;
  if (!isBackendName(forced)) {
    throw new Error(`unknown backend "${forced}" (INKSTONE_BACKEND or argument); choose one of ${BACKENDS.join(", ")}`);
  }
  return [forced];
}

let selected: Promise<string> | null = null;

/**
 * Picks the fastest TensorFlow.js backend available (or the one named by the
 * argument or INKSTONE_BACKEND), prints it in one line and returns its name.
 * Later calls return the first call's choice.
 */
export function selectBackend(preferred?: string): Promise<string> {
  selected ??= (async () => {
    const forced = preferred || readEnv("INKSTONE_BACKEND") || null;
    for (const name of backendCandidates(forced)) {
      const description = await initBackend(name, forced !== null);
      if (description !== null) {
        await tf.ready();
        console.log(`[inkstone] tfjs backend: ${name} (${description})`);
        return name;
      }
    }
    throw new Error(`backend "${forced}" is not available here`);
  })();
  return selected;
}
