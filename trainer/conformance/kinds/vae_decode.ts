import * as tf from "@tensorflow/tfjs";
import { AutoencoderKL } from "../../models/autoencoder_kl";
import { nchwToNhwc, nhwcToNchw } from "../../nn/layout";
import { allClose } from "../compare";
import type { CaseRunner } from "../types";

/** vae.decode(z).sample from the golden set's model/vae, with no scaling applied to z. */
export const run: CaseRunner = async (c, set) => {
  const vae = await AutoencoderKL.fromPretrained(set.modelDir);
  try {
    const got = tf.tidy(() => nhwcToNchw(vae.decode(nchwToNhwc(set.tensor(c.inputs.latents as string)))));
    const result = await allClose(got, set.tensor(c.outputs.sample), c.atol, c.rtol);
    got.dispose();
    return result;
  } finally {
    vae.dispose();
  }
};
