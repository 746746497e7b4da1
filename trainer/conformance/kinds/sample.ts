import * as tf from "@tensorflow/tfjs";
import { nchwToNhwc, nhwcToNchw } from "../../nn/layout";
import { StableDiffusionPipeline, type SchedulerName } from "../../pipeline/stable_diffusion";
import { allClose } from "../compare";
import type { CaseRunner } from "../types";

/**
 * The StableDiffusionPipeline loop from the golden initial latents: the
 * scheduler's timesteps must match exactly, the image within tolerance (NCHW).
 */
export const run: CaseRunner = async (c, set) => {
  const scheduler = c.params.scheduler as SchedulerName;
  if (scheduler !== "pndm" && scheduler !== "ddim") throw new Error(`unknown scheduler ${JSON.stringify(c.params.scheduler)}`);
  const pipe = await StableDiffusionPipeline.fromPretrained(set.modelDir, { scheduler });
  const latents = nchwToNhwc(set.tensor(c.inputs.latents as string));
  const [, h, w] = latents.shape;
  try {
    const out = await pipe.generate({
      prompt: c.inputs.prompt as string,
      negativePrompt: c.inputs.negative_prompt as string,
      numInferenceSteps: c.params.num_inference_steps as number,
      guidanceScale: c.params.guidance_scale as number,
      height: h * pipe.vaeScaleFactor,
      width: w * pipe.vaeScaleFactor,
      latents,
    });
    const wantTimesteps = Array.from(await set.tensor(c.outputs.timesteps as string).data());
    const timestepsMatch = wantTimesteps.length === out.timesteps.length && wantTimesteps.every((t, i) => t === out.timesteps[i]);
    const got = nhwcToNchw(out.image);
    const result = await allClose(got, set.tensor(c.outputs.image as string), c.atol, c.rtol);
    tf.dispose([got, out.image]);
    if (!timestepsMatch) return { worst: Infinity, detail: `timesteps [${out.timesteps}] but want [${wantTimesteps}]` };
    return result;
  } finally {
    latents.dispose();
    pipe.dispose();
  }
};
