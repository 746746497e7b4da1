import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { before, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../../trainer/backend";
import { makeTiny } from "../../../trainer/make_tiny";
import { CLIPTextModel } from "../../../trainer/models/clip_text_model";
import { DEFAULT_VALIDATION_PROMPTS } from "../../../trainer/options";
import { BYTE_SYMBOLS } from "../../../trainer/tokenizer/byte_level_bpe";
import { CLIPTokenizer, preTokenize } from "../../../trainer/tokenizer/clip_tokenizer";
import { trainBPE, writeCLIPTokenizerFiles, type TrainedBPE } from "../../../trainer/tokenizer/train_bpe";
import { GOLDEN_DIR, requireGoldenSet } from "../golden";

const CORPUS = [
  "a red circle on a blue background",
  "a green square on a white background",
  "a yellow circle on a black background",
  ...DEFAULT_VALIDATION_PROMPTS,
];
const UNSEEN = ["Zebra café 🐱 猫 naïve, it's 3.14!", "an Unseen WORD with MIXED case"];

let bpe: TrainedBPE;
let tokenizer: CLIPTokenizer;

before(async () => {
  await selectBackend();
  bpe = trainBPE(CORPUS, 1000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-bpe-"));
  await writeCLIPTokenizerFiles(path.join(dir, "tokenizer"), bpe);
  tokenizer = await CLIPTokenizer.fromPretrained(dir);
});

test("vocab is laid out as CLIP's: bytes, bytes with </w>, merges, then bos and eos", () => {
  const tokens = [...bpe.vocab].sort((a, b) => a[1] - b[1]).map(([t]) => t);
  assert.deepEqual(tokens.map((_, i) => bpe.vocab.get(tokens[i])), tokens.map((_, i) => i), "ids are 0..n-1");
  assert.deepEqual(tokens.slice(0, 256), BYTE_SYMBOLS);
  assert.deepEqual(tokens.slice(256, 512), BYTE_SYMBOLS.map((s) => `${s}</w>`));
  assert.deepEqual(tokens.slice(-2), ["<|startoftext|>", "<|endoftext|>"]);
  for (const [a, b] of bpe.merges) assert.ok(bpe.vocab.has(a + b), `merge ${a} ${b} has a token`);
  assert.ok(bpe.merges.length > 50 && bpe.vocab.size <= 1000, `${bpe.merges.length} merges, ${bpe.vocab.size} tokens`);
});

test("the first 512 ids match CLIP's vocab.json", (t) => {
  const file = path.join(GOLDEN_DIR, "model/tokenizer/vocab.json");
  requireGoldenSet();
  const clip = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, number>;
  for (const [token, id] of bpe.vocab) if (id < 512) assert.equal(clip[token], id, token);
});

test("training is deterministic and independent of corpus order; the vocab size caps it", () => {
  const again = trainBPE([...CORPUS].reverse(), 1000);
  assert.deepEqual(again.merges, bpe.merges);
  assert.deepEqual([...again.vocab], [...bpe.vocab]);
  const small = trainBPE(CORPUS, 520);
  assert.equal(small.vocab.size, 520);
  assert.deepEqual(small.merges, bpe.merges.slice(0, small.merges.length));
});

test("corpus words become single tokens; encode then decode gives the cleaned words", () => {
  for (const text of CORPUS) {
    assert.equal(tokenizer.tokenIds(text).length, preTokenize(text).length, text);
    assert.equal(tokenizer.decode(tokenizer.encode([text])[0]), preTokenize(text).join(" "));
  }
});

test("unseen words fall back to smaller pieces down to bytes, ids stay in the vocab", () => {
  for (const text of UNSEEN) {
    const ids = tokenizer.tokenIds(text);
    assert.ok(ids.length > preTokenize(text).length, text);
    assert.ok(ids.every((id) => id >= 0 && id < tokenizer.bosId), `${text}: ${ids}`);
    assert.equal(tokenizer.decode(tokenizer.encode([text])[0]), preTokenize(text).join(" "));
  }
});

test("rows are bos, tokens, eos, padding to 77; long texts are truncated with eos last", () => {
  assert.equal(tokenizer.bosId, bpe.vocab.size - 2);
  assert.equal(tokenizer.eosId, bpe.vocab.size - 1);
  assert.equal(tokenizer.padId, tokenizer.eosId);
  assert.equal(tokenizer.vocabSize, bpe.vocab.size);
  const [short] = tokenizer.encode(["Lebron James with a hat"]);
  const body = tokenizer.tokenIds("Lebron James with a hat");
  const want = new Int32Array(77).fill(tokenizer.padId);
  want.set([tokenizer.bosId, ...body, tokenizer.eosId]);
  assert.deepEqual(short, want);
  const long = "an unseen long prompt about a ninja ".repeat(20);
  const [row] = tokenizer.encode([long]);
  assert.equal(row.length, 77);
  assert.equal(row[0], tokenizer.bosId);
  assert.deepEqual(Array.from(row.slice(1, 76)), tokenizer.tokenIds(long).slice(0, 75));
  assert.equal(row[76], tokenizer.eosId);
});

test("make-tiny --tokenizer trained writes a pipeline whose tokenizer and text encoder agree", async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-tiny-bpe-"));
  const made = await makeTiny(out, { tokenizer: "trained", numImages: 1, vaeSteps: 0 });
  assert.match(made.tokenizer, /trained/);
  const tiny = await CLIPTokenizer.fromPretrained(made.modelDir);
  const config = JSON.parse(fs.readFileSync(path.join(made.modelDir, "text_encoder/config.json"), "utf8")) as Record<string, number>;
  assert.ok(tiny.vocabSize < 1000, `${tiny.vocabSize} tokens`);
  assert.deepEqual(
    [config.vocab_size, config.bos_token_id, config.eos_token_id, config.pad_token_id],
    [tiny.vocabSize, tiny.bosId, tiny.eosId, tiny.padId],
  );
  assert.equal(tiny.tokenIds("Bill Gates with a hoodie").length, 5, "dataset captions are whole-word tokens");
  const encoder = await CLIPTextModel.fromPretrained(made.modelDir);
  const ids = tiny.encodeToTensor([...DEFAULT_VALIDATION_PROMPTS]);
  const hidden = encoder.forward(ids);
  assert.equal(tiny.maxLength, config.max_position_embeddings, "the tokenizer pads to the text encoder's positions");
  assert.deepEqual(hidden.shape, [DEFAULT_VALIDATION_PROMPTS.length, tiny.maxLength, config.hidden_size]);
  const total = tf.tidy(() => tf.sum(tf.abs(hidden)));
  assert.ok(Number.isFinite((await total.data())[0]));
  tf.dispose([ids, hidden, total]);
  fs.rmSync(out, { recursive: true, force: true });
});
