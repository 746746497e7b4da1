import * as tf from "@tensorflow/tfjs";

/**
 * Runs a hand-written WGSL compute shader as one dispatch on tfjs-backend-webgpu, inside the
 * backend's own command stream: it reads tfjs tensors' GPU buffers and writes new tensors' buffers,
 * so it orders with tfjs's kernels and tfjs frees the buffers as usual. tfjs's own program runner
 * takes one output and generates its bindings; the fused kernels here need several outputs and
 * their own layout.
 *
 * Bindings, in @group(0): outputs first (read_write storage, 0..), then inputs (read storage),
 * then one uniform buffer when `uniforms` is given. The layout is explicit, so a shader may leave
 * a binding unused.
 */

/** The parts of tfjs-backend-webgpu's WebGPUBackend this uses (4.22). */
interface WebGpuBackendInternals {
  device: GPUDevice;
  tensorMap: { get(dataId: object): { resource: unknown } | undefined };
  commandQueueOwnedIds: WeakSet<object>;
  computePassEncoder: GPUComputePassEncoder | null;
  commandEncoder: GPUCommandEncoder;
  dispatchCountInPass: number;
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  uploadToGPU(dataId: object): void;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  makeUniforms(uniforms: Uniform[]): GPUBufferBinding;
  disposeData(dataId: object): boolean;
}

export interface Uniform {
  type: "int32" | "uint32" | "float32";
  data: number[];
}

export interface WgslDispatch {
  /** Names the shader's source: pipelines are compiled once per key. */
  key: string;
  /** The full shader, called only when the key is new. */
  source: () => string;
  inputs: tf.TensorInfo[];
  /** Shapes of the float32 outputs to allocate. */
  outputs: number[][];
  uniforms?: Uniform[];
  workgroups: [number, number?, number?];
}

const pipelines = new Map<string, GPUComputePipeline>();

/** The active backend as WebGPU, or an error naming what is missing. */
function webGpuBackend(): WebGpuBackendInternals {
  const backend = tf.backend() as unknown as Partial<WebGpuBackendInternals>;
  const needed = ["device", "tensorMap", "makeUniforms", "ensureCommandEncoderReady", "endComputePassEncoder", "submitQueue", "uploadToGPU"] as const;
  const missing = needed.filter((k) => backend[k] == null);
  if (tf.getBackend() !== "webgpu" || missing.length) {
    throw new Error(`runWgsl needs tfjs-backend-webgpu 4.x as the active backend (active: ${tf.getBackend()}; missing: ${missing.join(", ") || "none"})`);
  }
  return backend as WebGpuBackendInternals;
}

/** Whether the active backend is tfjs-backend-webgpu (where the fused WGSL kernels run). */
export function isWebGpu(): boolean {
  return tf.getBackend() === "webgpu";
}

/** WGSL's limit on workgroups per dimension. */
const MAX_WORKGROUPS = 65535;

/** Dispatches the shader once and returns its outputs (TensorInfos the caller wraps or disposes). */
export function runWgsl(d: WgslDispatch): tf.TensorInfo[] {
  const backend = webGpuBackend();
  const [x, y = 1, z = 1] = d.workgroups;
  if ([x, y, z].some((n) => !Number.isInteger(n) || n < 1 || n > MAX_WORKGROUPS)) {
    throw new Error(`${d.key}: workgroup counts [${x}, ${y}, ${z}] must be integers in 1..${MAX_WORKGROUPS}`);
  }
  let pipeline = pipelines.get(d.key);
  if (!pipeline) {
    const types: GPUBufferBindingType[] = [...d.outputs.map(() => "storage" as const), ...d.inputs.map(() => "read-only-storage" as const), ...(d.uniforms ? ["uniform" as const] : [])];
    const entries = types.map((type, binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } }));
    const layout = backend.device.createPipelineLayout({ bindGroupLayouts: [backend.device.createBindGroupLayout({ entries, label: d.key })] });
    const module = backend.device.createShaderModule({ code: d.source(), label: d.key });
    pipeline = backend.device.createComputePipeline({ layout, compute: { module, entryPoint: "main" }, label: d.key });
    pipelines.set(d.key, pipeline);
  }
  const outputs = d.outputs.map((shape) => backend.makeTensorInfo(shape, "float32"));
  const tensors = [...outputs, ...d.inputs];
  const buffers = tensors.map((t) => {
    backend.uploadToGPU(t.dataId);
    const resource = backend.tensorMap.get(t.dataId)?.resource;
    if (!(resource instanceof GPUBuffer)) throw new Error(`${d.key}: a tensor of shape [${t.shape}] is not in a GPU buffer`);
    backend.commandQueueOwnedIds.add(t.dataId);
    return { buffer: resource } as GPUBufferBinding;
  });
  if (d.uniforms) buffers.push(backend.makeUniforms(d.uniforms));
  const bindGroup = backend.device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map((resource, binding) => ({ binding, resource })),
  });
  backend.ensureCommandEncoderReady();
  backend.computePassEncoder ??= backend.commandEncoder.beginComputePass();
  backend.computePassEncoder.setPipeline(pipeline);
  backend.computePassEncoder.setBindGroup(0, bindGroup);
  backend.computePassEncoder.dispatchWorkgroups(x, y, z);
  // Submit as tfjs does after its batch of dispatches, so its buffers recycle at the same pace.
  if (++backend.dispatchCountInPass >= (tf.env().get("WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE") as number)) {
    backend.endComputePassEncoder();
    backend.submitQueue();
  }
  return outputs;
}

/** Frees a TensorInfo that runWgsl made and no tensor wraps (a buffer passed between dispatches). */
export function disposeInfo(info: tf.TensorInfo): void {
  webGpuBackend().disposeData(info.dataId);
}

/** Wraps runWgsl's outputs as tensors (each now owned by the engine). */
export function asTensors(infos: tf.TensorInfo[]): tf.Tensor[] {
  return infos.map((info) => tf.engine().makeTensorFromTensorInfo(info));
}

/** The forward of a fused op: its value, and its inputs' gradients from dy and the saved tensors. */
export interface FusedForward {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
}

/** tf.customGrad with typed arguments: body gets the inputs and the save function. */
export function withGradient(inputs: tf.Tensor[], body: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => FusedForward): tf.Tensor {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args.pop() as tf.GradSaveFunc;
    const { value, gradFunc } = body(args as tf.Tensor[], save);
    return { value, gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => gradFunc(dy as tf.Tensor, saved) };
  });
  return op(...inputs);
}
