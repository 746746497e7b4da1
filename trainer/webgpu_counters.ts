import * as tf from "@tensorflow/tfjs";

/**
 * Counts what a WebGPU step costs at the API level: compute dispatches, queue submits, and the
 * bytes of live GPU buffers with their peak. Installed by wrapping Dawn's prototypes (the GPU*
 * classes the `webgpu` package puts on globalThis), so it sees every call tfjs-backend-webgpu makes.
 * Each dispatch is also charged to the tf kernel (engine.runKernel's name) running at the time, or
 * outside a kernel (custom gradients, the fused WGSL kernels) to its pipeline's label.
 */

export interface WebGpuCounts {
  dispatches: number;
  submits: number;
  /** GPU buffers created (not taken from tfjs's pool). */
  creates: number;
  liveBytes: number;
  peakBytes: number;
  /** Dispatches per tf kernel name, or per pipeline label outside a kernel. */
  byKernel: Record<string, number>;
}

const counts: WebGpuCounts = { dispatches: 0, submits: 0, creates: 0, liveBytes: 0, peakBytes: 0, byKernel: {} };
/** The kernels being run, innermost last (a kernel's gradient or custom op may run others). */
const kernelStack: string[] = [];
let pipelineLabel = "";
let installed = false;
let dispatching = true;

type Method = (...args: unknown[]) => unknown;
type Proto = Record<string, Method>;

function wrap(
  proto: Proto | undefined,
  name: string,
  before: (self: unknown, args: unknown[]) => void,
  after?: (result: unknown) => void,
  skip?: () => boolean,
): boolean {
  const original = proto?.[name];
  if (!proto || !original) return false;
  proto[name] = function (this: unknown, ...args: unknown[]) {
    before(this, args);
    if (skip?.()) return undefined;
    const result = original.apply(this, args);
    after?.(result);
    return result;
  };
  return true;
}

/** Starts counting; false when Dawn's classes are not on globalThis (another backend). */
export function installWebGpuCounters(): boolean {
  if (installed) return true;
  const g = globalThis as unknown as Record<string, { prototype: Proto } | undefined>;
  const sizes = new WeakSet<object>();
  const ok = [
    wrap(g.GPUComputePassEncoder?.prototype, "setPipeline", (_, [pipeline]) => void (pipelineLabel = (pipeline as { label?: string }).label || "(unlabelled pipeline)")),
    wrap(
      g.GPUComputePassEncoder?.prototype,
      "dispatchWorkgroups",
      () => {
        counts.dispatches++;
        const kernel = kernelStack.at(-1) ?? pipelineLabel;
        counts.byKernel[kernel] = (counts.byKernel[kernel] ?? 0) + 1;
      },
      undefined,
      () => !dispatching,
    ),
    wrap(g.GPUQueue?.prototype, "submit", () => void counts.submits++),
    wrap(g.GPUDevice?.prototype, "createBuffer", () => void counts.creates++, (buffer) => {
      counts.liveBytes += (buffer as { size: number }).size;
      counts.peakBytes = Math.max(counts.peakBytes, counts.liveBytes);
      sizes.add(buffer as object);
    }),
    wrap(g.GPUBuffer?.prototype, "destroy", (self) => {
      // A buffer is counted down once, however often it is destroyed.
      if (sizes.delete(self as object)) counts.liveBytes -= (self as { size: number }).size;
    }),
  ].every(Boolean);
  if (ok) trackKernelNames();
  installed = ok;
  return ok;
}

/** Wraps the engine's runKernel (what every op calls) to keep the stack of running kernel names. */
function trackKernelNames(): void {
  const engine = tf.engine() as unknown as { runKernel: (name: string, ...rest: unknown[]) => unknown };
  const runKernel = engine.runKernel.bind(engine);
  engine.runKernel = (name: string, ...rest: unknown[]) => {
    kernelStack.push(name);
    try {
      return runKernel(name, ...rest);
    } finally {
      kernelStack.pop();
    }
  };
}

/** The counters so far (a copy). */
export function webGpuCounts(): WebGpuCounts {
  return { ...counts, byKernel: { ...counts.byKernel } };
}

/** Adds the counts between before and after to a running interval (a zero interval when there is none yet). */
export function accumulate(sum: { before: WebGpuCounts; after: WebGpuCounts } | null, before: WebGpuCounts, after: WebGpuCounts): { before: WebGpuCounts; after: WebGpuCounts } {
  const base = sum ?? { before: zeroCounts(), after: zeroCounts() };
  const byKernel = { ...base.after.byKernel };
  for (const [name, n] of Object.entries(after.byKernel)) byKernel[name] = (byKernel[name] ?? 0) + n - (before.byKernel[name] ?? 0);
  return { before: base.before, after: { ...base.after, dispatches: base.after.dispatches + after.dispatches - before.dispatches, byKernel } };
}

const zeroCounts = (): WebGpuCounts => ({ dispatches: 0, submits: 0, creates: 0, liveBytes: 0, peakBytes: 0, byKernel: {} });

/** The kernels with the most dispatches between two readings, most first, as [name, dispatches]. */
export function topKernels(before: WebGpuCounts, after: WebGpuCounts, limit: number): Array<[string, number]> {
  return Object.entries(after.byKernel)
    .map(([name, n]): [string, number] => [name, n - (before.byKernel[name] ?? 0)])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit);
}

/** Restarts the peak from the bytes live now. */
export function resetWebGpuPeak(): void {
  counts.peakBytes = counts.liveBytes;
}

/**
 * From now on dispatches are counted but not run. Every buffer is still made, bound, submitted and
 * released as in a real step (tfjs allocates while recording, and releases at submits it counts
 * by dispatches recorded), so buffer counts and peaks are those of the real step without its
 * arithmetic; values read back are meaningless.
 */
export function skipDispatches(): void {
  dispatching = false;
}
