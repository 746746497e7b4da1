import * as tf from "@tensorflow/tfjs";
import { DDPMScheduler } from "../../schedulers/ddpm";
import { readComponentConfig } from "../../weights/diffusers_loader";
import { allClose } from "../compare";
import type { CaseRunner } from "../types";

/** DDPMScheduler.add_noise with the golden pipeline's scheduler config; layout-free, so compared as stored. */
export const run: CaseRunner = async (c, set) => {
  const scheduler = DDPMScheduler.fromConfig(await readComponentConfig(set.modelDir, "scheduler"));
  const timesteps = tf.cast(set.tensor(c.inputs.timesteps as string), "int32") as tf.Tensor1D;
  const got = scheduler.addNoise(set.tensor(c.inputs.latents as string), set.tensor(c.inputs.noise as string), timesteps);
  const result = await allClose(got, set.tensor(c.outputs.noisy as string), c.atol, c.rtol);
  tf.dispose([got, timesteps]);
  scheduler.dispose();
  return result;
};
