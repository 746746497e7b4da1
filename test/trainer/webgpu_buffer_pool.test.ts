/// <reference types="@webgpu/types/dist" />
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../trainer/backend";
import { boundBufferPool, type TfjsBufferManager } from "../../trainer/webgpu_buffer_pool";

await selectBackend();

const MiB = 2 ** 20;
const STORAGE = 0x80 | 0x08 | 0x04; // STORAGE | COPY_DST | COPY_SRC, as tfjs's tensors

/** A new tfjs BufferManager on the real device (tfjs's own class), or null off WebGPU. */
function freshManager(ctx: TestContext): TfjsBufferManager | null {
  const backend = tf.backend() as unknown as { device?: GPUDevice; bufferManager?: TfjsBufferManager };
  if (!backend.device || !backend.bufferManager) {
    ctx.skip("not on webgpu");
    return null;
  }
  const Manager = backend.bufferManager.constructor as new (device: GPUDevice) => TfjsBufferManager;
  return new Manager(backend.device);
}

test("pooled buffers beyond the bound are destroyed, oldest released first, only when a buffer must be made", (ctx) => {
  const manager = freshManager(ctx);
  if (!manager) return;
  const pool = boundBufferPool(manager, 3 * MiB);
  const buffers = Array.from({ length: 10 }, (_, k) => manager.acquireBuffer((k + 1) * 4 * 1024 + MiB - 40 * 1024, STORAGE));
  for (const b of buffers) manager.releaseBuffer(b);
  assert.equal(pool.trimmed(), 0, "releasing alone frees nothing (tfjs reuses from the pool)");
  assert.ok(pool.pooledBytes() > 9 * MiB);

  // A size the pool holds: reused as is, nothing destroyed.
  const reused = manager.acquireBuffer(buffers[9]!.size, STORAGE);
  assert.equal(reused, buffers[9]);
  assert.equal(pool.trimmed(), 0);
  manager.releaseBuffer(reused);

  // A new size: the oldest go until at most 3 MiB stay pooled.
  const fresh = manager.acquireBuffer(2 * MiB, STORAGE);
  assert.ok(pool.pooledBytes() <= 3 * MiB, `pooled ${pool.pooledBytes()}`);
  assert.equal(pool.trimmed(), 7);
  assert.equal(manager.numFreeBuffers, 3);
  assert.equal(manager.numBytesAllocated, pool.pooledBytes() + fresh.size);
  // The three released last (7, 8 and 9) survive; a destroyed buffer is never handed out again.
  assert.equal(manager.acquireBuffer(buffers[8]!.size, STORAGE), buffers[8]);
  assert.notEqual(manager.acquireBuffer(buffers[0]!.size, STORAGE), buffers[0]);
});

test("an unbounded pool keeps every released buffer, as tfjs does", (ctx) => {
  const manager = freshManager(ctx);
  if (!manager) return;
  const pool = boundBufferPool(manager, Infinity);
  for (let k = 1; k <= 5; k++) manager.releaseBuffer(manager.acquireBuffer(k * MiB, STORAGE));
  manager.acquireBuffer(10 * MiB, STORAGE);
  assert.equal(pool.trimmed(), 0);
  assert.equal(manager.numBytesAllocated, 25 * MiB);
});
