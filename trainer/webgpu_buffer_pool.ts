/// <reference types="@webgpu/types/dist" />

/**
 * A bound on the GPU memory tfjs-backend-webgpu keeps for reuse. Its buffer manager pools every
 * released buffer by exact size and usage and never frees one, so a training step holds the peak of
 * buffers in use plus every buffer of a size it no longer needs: activations freed during the
 * backward pass stay while gradients of other sizes are created. Here, before a buffer is created
 * (no pooled one fits), the pooled buffers beyond `maxPooledBytes` are destroyed, those released
 * longest ago first, as PyTorch's caching allocator gives its cache back before it grows. Opt-in
 * (INKSTONE_WEBGPU_POOL_MB, trainer/backend.ts): each buffer freed is one made again later, and on
 * SD1.5's step the unbounded pool already stays within 1.2 GiB of the bound-0 peak.
 * Pooled buffers are never in the command encoder still being recorded (tfjs releases a tensor's
 * buffer only after the submit that uses it), and WebGPU keeps a destroyed buffer alive for work
 * already submitted, so destroying them is safe.
 */

/** tfjs-backend-webgpu's BufferManager, the fields this reads and keeps consistent. */
export interface TfjsBufferManager {
  freeBuffers: Map<string, GPUBuffer[]>;
  numFreeBuffers: number;
  numBytesAllocated: number;
  acquireBuffer(size: number, usage: number, mappedAtCreation?: boolean, reuse?: boolean): GPUBuffer;
  releaseBuffer(buffer: GPUBuffer, reuse?: boolean): void;
}

export interface BufferPoolBound {
  /** Bytes pooled now. */
  pooledBytes(): number;
  /** Pooled buffers destroyed so far. */
  trimmed(): number;
}

/** tfjs's pool key. */
const keyOf = (size: number, usage: number): string => `${size}_${usage}`;

export function boundBufferPool(manager: TfjsBufferManager, maxPooledBytes: number): BufferPoolBound {
  // Insertion order is release order.
  const pooled = new Set<GPUBuffer>();
  let bytes = 0;
  let trimmed = 0;
  const release = manager.releaseBuffer.bind(manager);
  const acquire = manager.acquireBuffer.bind(manager);

  const trim = (): void => {
    for (const buffer of pooled) {
      if (bytes <= maxPooledBytes) return;
      const list = manager.freeBuffers.get(keyOf(buffer.size, buffer.usage));
      const i = list?.indexOf(buffer) ?? -1;
      if (i >= 0) {
        list!.splice(i, 1);
        manager.numFreeBuffers--;
        manager.numBytesAllocated -= buffer.size;
        buffer.destroy();
        trimmed++;
      }
      pooled.delete(buffer);
      bytes -= buffer.size;
    }
  };

  manager.releaseBuffer = (buffer, reuse = true) => {
    release(buffer, reuse);
    // tfjs pools a released buffer unless told not to (or after its own dispose, when the map is empty).
    if (reuse && manager.freeBuffers.size > 0) {
      pooled.add(buffer);
      bytes += buffer.size;
    }
  };
  manager.acquireBuffer = (size, usage, mappedAtCreation = false, reuse = true) => {
    const fits = reuse && (manager.freeBuffers.get(keyOf(size, usage))?.length ?? 0) > 0;
    if (!fits) trim();
    const buffer = acquire(size, usage, mappedAtCreation, reuse);
    if (pooled.delete(buffer)) bytes -= buffer.size;
    return buffer;
  };
  return { pooledBytes: () => bytes, trimmed: () => trimmed };
}
