import * as tf from "@tensorflow/tfjs";
import { CLIPTextModel } from "../../models/clip_text_model";
import { allClose } from "../compare";
import type { CaseRunner } from "../types";

/** CLIPTextModel(input_ids).last_hidden_state from the golden set's model/text_encoder. */
export const run: CaseRunner = async (c, set) => {
  const model = await CLIPTextModel.fromPretrained(set.modelDir);
  const got = model.forward(set.tensor(c.inputs.input_ids as string) as tf.Tensor2D);
  const result = await allClose(got, set.tensor(c.outputs.last_hidden_state), c.atol, c.rtol);
  tf.dispose(got);
  model.parameters().forEach((p) => p.value.dispose());
  return result;
};
