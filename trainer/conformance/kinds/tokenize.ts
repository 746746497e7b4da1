import * as tf from "@tensorflow/tfjs";
import { CLIPTokenizer } from "../../tokenizer/clip_tokenizer";
import { allClose } from "../compare";
import type { CaseRunner } from "../types";

/** CLIPTokenizer(prompts, padding="max_length", max_length=77, truncation=True).input_ids; exact. */
export const run: CaseRunner = async (c, set) => {
  const tokenizer = await CLIPTokenizer.fromPretrained(set.modelDir);
  const prompts = c.inputs.prompts;
  const got = tokenizer.encodeToTensor(Array.isArray(prompts) ? prompts : [prompts]);
  const result = await allClose(got, set.tensor(c.outputs.input_ids), c.atol, c.rtol);
  tf.dispose(got);
  return result;
};
