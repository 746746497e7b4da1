import * as tf from "@tensorflow/tfjs";
import { UNet2DConditionModel } from "../../models/unet_2d_condition";
import { nchwToNhwc, nhwcToNchw } from "../../nn/layout";
import { allClose } from "../compare";
import type { CaseRunner } from "../types";

/** unet(sample, t, encoder_hidden_states).sample from the golden set's model/unet, compared in NCHW. */
export const run: CaseRunner = async (c, set) => {
  const unet = await UNet2DConditionModel.fromPretrained(set.modelDir);
  try {
    const got = tf.tidy(() => {
      const sample = nchwToNhwc(set.tensor(c.inputs.sample as string));
      const timestep = tf.cast(set.tensor(c.inputs.timestep as string), "float32") as tf.Tensor1D;
      const context = set.tensor(c.inputs.encoder_hidden_states as string) as tf.Tensor3D;
      return nhwcToNchw(unet.forward(sample, timestep, context));
    });
    const result = await allClose(got, set.tensor(c.outputs.out), c.atol, c.rtol);
    got.dispose();
    return result;
  } finally {
    unet.dispose();
  }
};
