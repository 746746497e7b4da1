import * as tf from "@tensorflow/tfjs";
import { AutoencoderKL } from "../../models/autoencoder_kl";
import { nchwToNhwc, nhwcToNchw } from "../../nn/layout";
import { allClose } from "../compare";
import type { CaseResult, CaseRunner } from "../types";

/** vae.encode(x).latent_dist's mean and logvar from the golden set's model/vae; the worse of the two counts. */
export const run: CaseRunner = async (c, set) => {
  const vae = await AutoencoderKL.fromPretrained(set.modelDir);
  try {
    const { mean, logvar } = tf.tidy(() => {
      const latent = vae.encode(nchwToNhwc(set.tensor(c.inputs.pixel_values as string)));
      return { mean: nhwcToNchw(latent.mean), logvar: nhwcToNchw(latent.logvar) };
    });
    const results: Array<[string, CaseResult]> = [
      ["mean", await allClose(mean, set.tensor(c.outputs.mean), c.atol, c.rtol)],
      ["logvar", await allClose(logvar, set.tensor(c.outputs.logvar), c.atol, c.rtol)],
    ];
    tf.dispose([mean, logvar]);
    const [name, worst] = results.reduce((a, b) => (b[1].worst > a[1].worst ? b : a));
    return { worst: worst.worst, detail: `${name}: ${worst.detail}` };
  } finally {
    vae.dispose();
  }
};
