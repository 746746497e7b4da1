import * as tf from "@tensorflow/tfjs";
import { isWebGpu } from "../kernels/webgpu/run_wgsl";
import { Module, Parameter, parameter } from "./module";

export interface Conv2dOptions {
  stride?: number;
  /** torch's symmetric zero padding on each spatial side. */
  padding?: number;
  bias?: boolean;
}

/** torch.nn.Conv2d on NHWC activations (square kernel, no dilation, no groups). */
export class Conv2d extends Module {
  weight: Parameter;
  bias?: Parameter;
  readonly stride: number;
  readonly padding: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    opts: Conv2dOptions = {},
  ) {
    super();
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
    this.weight = parameter([kernelSize, kernelSize, inChannels, outChannels], "conv2d");
    if (opts.bias ?? true) this.bias = parameter([outChannels]);
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const p = this.padding;
      const pad: "valid" | [[0, 0], [number, number], [number, number], [0, 0]] =
        p === 0 ? "valid" : [[0, 0], [p, p], [p, p], [0, 0]];
      const filter = this.weight.value as tf.Tensor4D;
      // On webgpu the bias rides in the convolution's own dispatch.
      if (isWebGpu()) return tf.fused.conv2d({ x, filter, strides: this.stride, pad, bias: this.bias?.value });
      const y = tf.conv2d(x, filter, this.stride, pad);
      return this.bias ? tf.add(y, this.bias.value) : y;
    });
  }
}
