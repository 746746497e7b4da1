import * as tf from "@tensorflow/tfjs";
import { fusedGroupNorm, hasFusedGroupNorm } from "../kernels/group_norm";
import { webGpuGroupNorm } from "../kernels/webgpu/group_norm";
import { isWebGpu } from "../kernels/webgpu/run_wgsl";
import { silu } from "./activations";
import { Module, Parameter, parameter } from "./module";

/**
 * torch.nn.GroupNorm on channels-last activations ([N, H, W, C] or [N, L, C]):
 * statistics per sample over each group of C/groups channels and all positions,
 * biased variance, eps inside the square root, then a per-channel affine.
 */
export class GroupNorm extends Module {
  weight: Parameter;
  bias: Parameter;

  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    readonly eps = 1e-5,
  ) {
    super();
    if (numChannels % numGroups !== 0) {
      throw new Error(`GroupNorm: ${numChannels} channels do not split into ${numGroups} groups`);
    }
    this.weight = parameter([numChannels]);
    this.bias = parameter([numChannels]);
  }

  /**
   * norm(x), or silu(norm(x)) with activation "silu" (resnet blocks): one fused kernel where the
   * backend has it (WGSL on webgpu, with the SiLU inside; JS loops on wasm, cpu), else tf ops.
   */
  forward<T extends tf.Tensor>(x: T, activation?: "silu"): T {
    const attrs = { numGroups: this.numGroups, eps: this.eps };
    if (isWebGpu()) return webGpuGroupNorm(x, this.weight.value, this.bias.value, { ...attrs, silu: activation === "silu" });
    return tf.tidy(() => {
      const normed = hasFusedGroupNorm() ? fusedGroupNorm(x, this.weight.value, this.bias.value, attrs) : this.forwardOps(x);
      return activation === "silu" ? silu(normed) : normed;
    });
  }

  /**
   * As tf ops, for the tensorflow backend (and as the reference in tests). Group statistics
   * are spread back to per-channel [N, 1, C] vectors before touching the activations: on wasm,
   * broadcasting a [N, 1, G, 1] tensor over [N, L, G, C/G] runs ~8x slower than broadcasting
   * [N, 1, C] over [N, L, C].
   */
  forwardOps<T extends tf.Tensor>(x: T): T {
    return tf.tidy(() => {
      const n = x.shape[0];
      const c = this.numChannels;
      const g = this.numGroups;
      // Spread by adding zeros: tf.broadcastTo's gradient (Tile's) is a slice and an add per repeat.
      const perChannel = (stat: tf.Tensor) => tf.add(stat, tf.zeros([1, 1, 1, c / g])).reshape([n, 1, c]);
      const flat = x.reshape([n, -1, c]);
      const mean = tf.mean(flat.reshape([n, -1, g, c / g]), [1, 3], true);
      const centered = tf.sub(flat, perChannel(mean));
      const variance = tf.mean(tf.square(centered).reshape([n, -1, g, c / g]), [1, 3], true);
      const scale = tf.mul(perChannel(tf.rsqrt(tf.add(variance, this.eps))), this.weight.value);
      return tf.add(tf.mul(centered, scale), this.bias.value).reshape(x.shape) as T;
    });
  }
}
