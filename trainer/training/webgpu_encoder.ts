import * as tf from "@tensorflow/tfjs";
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";

/**
 * Compute dispatches of our own WGSL, recorded into tfjs-backend-webgpu's command stream so that
 * they run in order with its kernels. tfjs binds one output and reads its inputs; the optimizer
 * kernels update several tensors in place, so they bind the tensors' buffers themselves.
 */

/** The backend's members this relies on (private in its typings). */
interface BackendInternals {
  device: GPUDevice;
  tensorMap: { get(dataId: tf.DataId): { resource: unknown; values: unknown; shape: number[]; dtype: string } };
  commandEncoder: GPUCommandEncoder | null;
  computePassEncoder: GPUComputePassEncoder | null;
  dispatchCountInPass: number;
  commandQueueOwnedIds: WeakSet<tf.DataId>;
  uniformPendingDisposal: GPUBuffer[];
  bufferManager: { acquireBuffer(size: number, usage: number): GPUBuffer };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  uploadToGPU(dataId: tf.DataId): void;
  refCount(dataId: tf.DataId): number;
  makeTensorInfo(shape: number[], dtype: "float32"): tf.TensorInfo;
}

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

export class WebGpuEncoder {
  private constructor(private readonly backend: BackendInternals) {}

  /** The encoder for the active backend; null unless it is webgpu. */
  static active(): WebGpuEncoder | null {
    return tf.getBackend() === "webgpu" ? new WebGpuEncoder(tf.backend() as unknown as WebGPUBackend & BackendInternals) : null;
  }

  get limits(): GPUSupportedLimits {
    return this.backend.device.limits;
  }

  /**
   * The tensor's buffer, for a dispatch about to be recorded. A buffer written in place drops
   * the copy tfjs caches on the CPU after a read, which would be stale.
   */
  buffer(t: tf.TensorInfo, written = false): GPUBuffer {
    if (t.dtype !== "float32") throw new Error(`webgpu multi-tensor kernels: ${t.dtype} tensor where float32 was expected`);
    this.backend.uploadToGPU(t.dataId);
    const data = this.backend.tensorMap.get(t.dataId);
    if (written) data.values = null;
    // Disposal waits for the submit, as for tfjs's own kernels' inputs.
    this.backend.commandQueueOwnedIds.add(t.dataId);
    return data.resource as GPUBuffer;
  }

  /** Whether another tensor shares t's buffer. */
  shared(t: tf.TensorInfo): boolean {
    return this.backend.refCount(t.dataId) > 1;
  }

  /** A copy of t in a buffer of its own. */
  copyOf(t: tf.Tensor): tf.Tensor {
    const copy = this.empty(t.shape);
    this.backend.ensureCommandEncoderReady();
    this.backend.endComputePassEncoder();
    this.backend.commandEncoder!.copyBufferToBuffer(this.buffer(t), 0, this.buffer(copy, true), 0, t.size * 4);
    return copy;
  }

  /** Gives the variable a buffer of its own when another tensor shares it, so that writing it in place changes nothing else. */
  ensureExclusive(v: tf.Variable): void {
    if (!this.shared(v)) return;
    const copy = this.copyOf(v);
    v.assign(copy);
    copy.dispose();
  }

  /** A new float32 tensor with its buffer allocated, contents unset. */
  empty(shape: number[]): tf.Tensor {
    const info = this.backend.makeTensorInfo(shape, "float32");
    this.backend.uploadToGPU(info.dataId);
    return tf.engine().makeTensorFromTensorInfo(info);
  }

  /** A uniform buffer holding `data`, released after the next submit. */
  uniforms(data: ArrayBuffer): GPUBuffer {
    const buffer = this.backend.bufferManager.acquireBuffer(data.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    this.backend.device.queue.writeBuffer(buffer, 0, data);
    this.backend.uniformPendingDisposal.push(buffer);
    return buffer;
  }

  /** The compute pipeline of a WGSL module (entry point `main`), compiled once per device. */
  pipeline(code: string): GPUComputePipeline {
    const device = this.backend.device;
    let cache = pipelines.get(device);
    if (!cache) pipelines.set(device, (cache = new Map()));
    let pipeline = cache.get(code);
    if (!pipeline) {
      pipeline = device.createComputePipeline({ layout: "auto", compute: { module: device.createShaderModule({ code }), entryPoint: "main" } });
      cache.set(code, pipeline);
    }
    return pipeline;
  }

  /** Records one dispatch of `workgroups` workgroups with the buffers bound in order from binding 0. */
  dispatch(pipeline: GPUComputePipeline, buffers: GPUBuffer[], workgroups: number): void {
    const b = this.backend;
    const bindGroup = b.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    b.ensureCommandEncoderReady();
    b.computePassEncoder ??= b.commandEncoder!.beginComputePass({});
    b.computePassEncoder.setPipeline(pipeline);
    b.computePassEncoder.setBindGroup(0, bindGroup);
    b.computePassEncoder.dispatchWorkgroups(workgroups);
    // Submitted in batches, as tfjs does with its own dispatches.
    if (++b.dispatchCountInPass >= tf.env().getNumber("WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE")) this.submit();
  }

  /** Sends what is recorded to the GPU, which also frees what was disposed meanwhile. */
  submit(): void {
    this.backend.endComputePassEncoder();
    if (this.backend.commandEncoder) this.backend.submitQueue();
  }
}
