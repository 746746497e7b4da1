import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../../trainer/backend";
import { run as runDecodeCase } from "../../../trainer/conformance/kinds/vae_decode";
import { run as runEncodeCase } from "../../../trainer/conformance/kinds/vae_encode";
import { AutoencoderKL } from "../../../trainer/models/autoencoder_kl";
import { convertLegacyAttentionKeys } from "../../../trainer/nn/attention";
import { readComponent } from "../../../trainer/weights/diffusers_loader";
import { loadGolden, runGoldenCase } from "../golden";

await selectBackend();

for (const kind of ["vae_encode", "vae_decode"]) {
  test(`${kind} matches diffusers on the golden case`, async () => {
    const result = await runGoldenCase(kind, kind === "vae_encode" ? runEncodeCase : runDecodeCase);
    assert.ok(result.worst <= 1, `worst error ratio ${result.worst} (${result.detail})`);
  });
}

const MODERN_TO_LEGACY: Record<string, string> = { to_q: "query", to_k: "key", to_v: "value", "to_out.0": "proj_attn" };

/** The same weights under the pre-0.14 attention names, optionally with 1x1-conv-shaped matrices. */
function toLegacyNames(weights: Map<string, tf.Tensor>, convShaped: boolean): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [key, t] of weights) {
    const m = /^(.*\.attentions\.\d+)\.(to_q|to_k|to_v|to_out\.0)\.(weight|bias)$/.exec(key);
    if (!m) out.set(key, t);
    else {
      const reshaped = convShaped && m[3] === "weight" ? t.reshape([...t.shape, 1, 1]) : t;
      out.set(`${m[1]}.${MODERN_TO_LEGACY[m[2]]}.${m[3]}`, reshaped);
    }
  }
  return out;
}

test("legacy VAE attention keys (Linear and 1x1-conv shaped) load to the same model", async () => {
  const golden = await loadGolden();
  const { config, weights } = await readComponent(golden.set.modelDir, "vae");
  const decodeWith = async (w: Map<string, tf.Tensor>): Promise<Float32Array> => {
    const vae = AutoencoderKL.fromConfig(config);
    vae.loadStateDict(w);
    const z = tf.randomNormal([1, 4, 4, 4], 0, 1, "float32", 3) as tf.Tensor4D;
    const image = vae.decode(z);
    const pixels = (await image.data()) as Float32Array;
    tf.dispose([z, image]);
    vae.dispose();
    return pixels;
  };
  const reference = await decodeWith(weights);
  for (const convShaped of [false, true]) {
    const legacy = toLegacyNames(weights, convShaped);
    assert.ok([...legacy.keys()].some((k) => k.endsWith("mid_block.attentions.0.proj_attn.weight")));
    assert.deepEqual(await decodeWith(legacy), reference, `legacy names, ${convShaped ? "conv" : "linear"}-shaped`);
  }
  // Non-attention keys pass through untouched; a conv-shaped legacy weight is squeezed to [C, C].
  const converted = convertLegacyAttentionKeys(toLegacyNames(weights, true));
  assert.deepEqual([...converted.keys()].sort(), [...weights.keys()].sort());
  assert.deepEqual(converted.get("encoder.mid_block.attentions.0.to_out.0.weight")!.shape, [32, 32]);
  weights.forEach((w) => w.dispose());
});

test("encode splits mean and logvar and clamps logvar to [-30, 20]", async () => {
  const vae = AutoencoderKL.fromConfig({ block_out_channels: [8, 8], down_block_types: ["DownEncoderBlock2D", "DownEncoderBlock2D"], up_block_types: ["UpDecoderBlock2D", "UpDecoderBlock2D"], norm_num_groups: 4 });
  // A quant_conv bias that pushes the logvar half far past both bounds: +100 on channel 4, -100 on the rest.
  vae.quant_conv!.bias!.value.assign(tf.tensor1d([1, 2, 3, 4, 100, -100, -100, -100]));
  const image = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
  const { mean, logvar } = vae.encode(image);
  assert.deepEqual(mean.shape, [1, 4, 4, 4]);
  assert.deepEqual(Array.from((await mean.data()).slice(0, 4)), [1, 2, 3, 4]);
  assert.deepEqual(Array.from((await logvar.data()).slice(0, 4)), [20, -30, -30, -30]);
  const decoded = vae.decode(mean);
  assert.deepEqual(decoded.shape, [1, 8, 8, 3]);
  tf.dispose([image, mean, logvar, decoded]);
  vae.dispose();
});
