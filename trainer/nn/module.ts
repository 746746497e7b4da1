import * as tf from "@tensorflow/tfjs";

/**
 * How a parameter is laid out in PyTorch checkpoints versus in tfjs kernels.
 * Weights are kept in the tfjs layout so forward passes never transpose them;
 * the conversion happens once, when loading or saving a state dict.
 */
export type Layout =
  | "plain" // same in both (biases, norm scales, embeddings)
  | "linear" // torch [out, in]  <-> tfjs [in, out]
  | "conv2d"; // torch [out, in, kh, kw] <-> tfjs [kh, kw, in, out]

export class Parameter {
  constructor(
    public value: tf.Variable,
    public readonly layout: Layout,
  ) {}

  /** The shape as PyTorch writes it in a checkpoint. */
  get torchShape(): number[] {
    const s = this.value.shape as number[];
    if (this.layout === "linear") return [s[1], s[0]];
    if (this.layout === "conv2d") return [s[3], s[2], s[0], s[1]];
    return [...s];
  }
}

export function torchToNative(t: tf.Tensor, layout: Layout): tf.Tensor {
  if (layout === "linear") return tf.transpose(t, [1, 0]);
  if (layout === "conv2d") return tf.transpose(t, [2, 3, 1, 0]);
  return t.clone();
}

export function nativeToTorch(t: tf.Tensor, layout: Layout): tf.Tensor {
  if (layout === "linear") return tf.transpose(t, [1, 0]);
  if (layout === "conv2d") return tf.transpose(t, [3, 2, 0, 1]);
  return t.clone();
}

/** A parameter of the given tfjs-layout shape, filled with zeros until weights are loaded. */
export function parameter(shape: number[], layout: Layout = "plain", trainable = true): Parameter {
  const init = tf.zeros(shape);
  const variable = tf.variable(init, trainable);
  init.dispose();
  return new Parameter(variable, layout);
}

/**
 * Base class for models whose property tree mirrors checkpoint keys:
 * a property `to_k` holding a module with a `weight` parameter is the key
 * `...to_k.weight`, and arrays become numbered segments (`down_blocks.1`).
 */
export abstract class Module {
  namedParameters(prefix = ""): Array<[string, Parameter]> {
    const out: Array<[string, Parameter]> = [];
    const visit = (value: unknown, name: string): void => {
      if (value instanceof Parameter) out.push([name, value]);
      else if (value instanceof Module) out.push(...value.namedParameters(`${name}.`));
      else if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${name}.${i}`));
    };
    for (const [key, value] of Object.entries(this)) visit(value, `${prefix}${key}`);
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /**
   * Copies torch-layout tensors into the parameters. Every parameter must be
   * present with the right shape; unknown keys are an error too, unless
   * `allowUnexpected` lists a predicate for keys to ignore.
   */
  loadStateDict(
    weights: Map<string, tf.Tensor>,
    opts: { allowUnexpected?: (key: string) => boolean } = {},
  ): void {
    const params = new Map(this.namedParameters());
    const missing = [...params.keys()].filter((k) => !weights.has(k));
    const unexpected = [...weights.keys()].filter(
      (k) => !params.has(k) && !(opts.allowUnexpected?.(k) ?? false),
    );
    if (missing.length || unexpected.length) {
      throw new Error(
        `state dict mismatch: missing [${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", …" : ""}]` +
          ` unexpected [${unexpected.slice(0, 10).join(", ")}${unexpected.length > 10 ? ", …" : ""}]`,
      );
    }
    for (const [key, p] of params) {
      const t = weights.get(key)!;
      const want = p.torchShape;
      if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
        throw new Error(`${key}: checkpoint shape [${t.shape}] but the model expects [${want}]`);
      }
      const native = torchToNative(t, p.layout);
      p.value.assign(native);
      native.dispose();
    }
  }

  /** Frees every parameter's memory; the module is unusable afterwards. */
  dispose(): void {
    for (const p of this.parameters()) p.value.dispose();
  }

  /** The parameters in torch layout, keyed as in a diffusers checkpoint. The caller disposes. */
  stateDict(): Map<string, tf.Tensor> {
    return new Map(this.namedParameters().map(([k, p]) => [k, nativeToTorch(p.value, p.layout)]));
  }
}
