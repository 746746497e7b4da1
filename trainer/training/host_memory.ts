import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/**
 * Float32 tensor memory that JS reads and writes in place: the wasm heap or the cpu backend's
 * arrays. Optimizer updates run as plain loops over it, instead of a dozen tfjs ops per
 * parameter whose per-op overhead dwarfs the arithmetic on small models.
 *
 * Never write into a buffer that other tensors share or that kernels may cache (wasm's XNNPACK
 * keeps packed weights per buffer): `exclusive` says whether only this tensor holds it.
 */
export interface HostMemory {
  /** The tensor's data. On wasm a view detaches when the heap grows: take views after allocating. */
  view(t: tf.TensorInfo): Float32Array;
  /** A new float32 tensor of the shape, contents unset. */
  empty(shape: number[]): tf.Tensor;
  /** The same as a kernel output: a tensor info the engine turns into a tensor. */
  output(shape: number[]): tf.TensorInfo;
  /** Whether no other tensor shares t's buffer. */
  exclusive(t: tf.TensorInfo): boolean;
}

/** The cpu backend's bookkeeping, as far as it is used here. */
interface CpuBackend {
  data: { get(dataId: tf.DataId): { values: unknown } };
  refCount(dataId: tf.DataId): number;
  makeTensorInfo(shape: number[], dtype: "float32", values: Float32Array): tf.TensorInfo;
}

function assertFloat32(t: tf.TensorInfo): void {
  if (t.dtype !== "float32") throw new Error(`host memory: ${t.dtype} tensor where float32 was expected`);
}

/** HostMemory from a backend's view and output allocation. */
function memoryOf(
  backend: { refCount(dataId: tf.DataId): number },
  data: (t: tf.TensorInfo) => Float32Array,
  output: (shape: number[]) => tf.TensorInfo,
): HostMemory {
  return {
    view: (t) => {
      assertFloat32(t);
      return data(t);
    },
    empty: (shape) => tf.engine().makeTensorFromTensorInfo(output(shape)),
    output,
    exclusive: (t) => backend.refCount(t.dataId) === 1,
  };
}

const wasmMemory = (backend: BackendWasm): HostMemory =>
  memoryOf(
    backend,
    (t) => backend.typedArrayFromHeap(t) as Float32Array,
    (shape) => backend.makeOutput(shape, "float32"),
  );

const cpuMemory = (backend: CpuBackend): HostMemory =>
  memoryOf(
    backend,
    (t) => backend.data.get(t.dataId).values as Float32Array,
    (shape) => backend.makeTensorInfo(shape, "float32", new Float32Array(shape.reduce((a, b) => a * b, 1))),
  );

/** The active backend's host memory; null where tensors live out of JS's reach (tensorflow, webgpu, webgl). */
export function hostMemory(): HostMemory | null {
  const name = tf.getBackend();
  if (name === "wasm") return wasmMemory(tf.backend() as BackendWasm);
  if (name === "cpu") return cpuMemory(tf.backend() as unknown as CpuBackend);
  return null;
}

/** Gives the variable a buffer of its own (a copy) when it shares one, so that writing it in place touches nothing else. */
export function ensureExclusive(memory: HostMemory, v: tf.Variable): void {
  if (memory.exclusive(v)) return;
  const copy = memory.empty(v.shape);
  memory.view(copy).set(memory.view(v));
  v.assign(copy);
  copy.dispose();
}
