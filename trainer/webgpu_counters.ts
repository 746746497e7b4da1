/**
 * Counts what a WebGPU step costs at the API level: compute dispatches, queue submits, and the
 * bytes of live GPU buffers with their peak. Installed by wrapping Dawn's prototypes (the GPU*
 * classes the `webgpu` package puts on globalThis), so it sees every call tfjs-backend-webgpu makes.
 */

export interface WebGpuCounts {
  dispatches: number;
  submits: number;
  liveBytes: number;
  peakBytes: number;
}

const counts: WebGpuCounts = { dispatches: 0, submits: 0, liveBytes: 0, peakBytes: 0 };
let installed = false;

type Method = (...args: unknown[]) => unknown;
type Proto = Record<string, Method>;

function wrap(proto: Proto | undefined, name: string, before: (self: unknown, args: unknown[]) => void, after?: (result: unknown) => void): boolean {
  const original = proto?.[name];
  if (!proto || !original) return false;
  proto[name] = function (this: unknown, ...args: unknown[]) {
    before(this, args);
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
    wrap(g.GPUComputePassEncoder?.prototype, "dispatchWorkgroups", () => void counts.dispatches++),
    wrap(g.GPUQueue?.prototype, "submit", () => void counts.submits++),
    wrap(g.GPUDevice?.prototype, "createBuffer", () => {}, (buffer) => {
      counts.liveBytes += (buffer as { size: number }).size;
      counts.peakBytes = Math.max(counts.peakBytes, counts.liveBytes);
      sizes.add(buffer as object);
    }),
    wrap(g.GPUBuffer?.prototype, "destroy", (self) => {
      // A buffer is counted down once, however often it is destroyed.
      if (sizes.delete(self as object)) counts.liveBytes -= (self as { size: number }).size;
    }),
  ].every(Boolean);
  installed = ok;
  return ok;
}

/** The counters so far (a copy). */
export function webGpuCounts(): WebGpuCounts {
  return { ...counts };
}

/** Restarts the peak from the bytes live now. */
export function resetWebGpuPeak(): void {
  counts.peakBytes = counts.liveBytes;
}
