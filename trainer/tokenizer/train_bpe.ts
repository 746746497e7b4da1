/**
 * Trains a small byte-level BPE vocabulary on a corpus and writes it in the
 * format of CLIP's tokenizer folder (vocab.json, merges.txt and the two JSON
 * configs), so a pipeline can ship a tokenizer without CLIP's 49408-token files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BYTE_SYMBOLS, byteSymbolsOf, END_OF_WORD } from "./byte_level_bpe";
import { preTokenize } from "./clip_tokenizer";

const BOS = "<|startoftext|>";
const EOS = "<|endoftext|>";

export interface TrainedBPE {
  /** token -> id: the byte symbols, the same with `</w>`, the merged tokens, then bos and eos, as in CLIP's vocab. */
  vocab: Map<string, number>;
  /** Merges in rank order. */
  merges: Array<[string, string]>;
}

/** Pre-tokenized words of the corpus and how often each occurs. */
function wordCounts(corpus: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of corpus) for (const word of preTokenize(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}

/**
 * The most frequent adjacent symbol pair over all words, weighted by word count;
 * ties go to the pair whose "left right" string sorts first, so training is deterministic.
 */
function mostFrequentPair(words: Array<{ symbols: string[]; count: number }>): [string, string] | null {
  const pairCounts = new Map<string, number>();
  for (const { symbols, count } of words) {
    for (let i = 0; i < symbols.length - 1; i++) {
      const key = `${symbols[i]} ${symbols[i + 1]}`;
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + count);
    }
  }
  let best: string | null = null;
  let bestCount = 0;
  for (const [key, count] of pairCounts) {
    if (count > bestCount || (count === bestCount && best !== null && key < best)) {
      best = key;
      bestCount = count;
    }
  }
  return best === null ? null : (best.split(" ") as [string, string]);
}

/** Replaces every left-to-right occurrence of the pair in a word by the merged symbol. */
function applyMerge(symbols: string[], [left, right]: [string, string]): string[] {
  const out: string[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (i < symbols.length - 1 && symbols[i] === left && symbols[i + 1] === right) {
      out.push(left + right);
      i++;
    } else out.push(symbols[i]);
  }
  return out;
}

/**
 * Ordinary BPE training: start from each word's bytes and repeatedly merge the most
 * frequent adjacent pair, until the vocabulary (specials included) reaches `vocabSize`
 * or every word is a single symbol.
 */
export function trainBPE(corpus: string[], vocabSize: number): TrainedBPE {
  const tokens: string[] = [...BYTE_SYMBOLS, ...BYTE_SYMBOLS.map((s) => s + END_OF_WORD)];
  const known = new Set(tokens);
  const words = [...wordCounts(corpus)].map(([word, count]) => ({ symbols: byteSymbolsOf(word), count }));
  const merges: Array<[string, string]> = [];
  while (known.size + 2 < vocabSize) {
    const pair = mostFrequentPair(words);
    if (!pair) break;
    merges.push(pair);
    // Two different merges can spell the same token; it gets one id.
    if (!known.has(pair.join(""))) {
      known.add(pair.join(""));
      tokens.push(pair.join(""));
    }
    for (const w of words) w.symbols = applyMerge(w.symbols, pair);
  }
  tokens.push(BOS, EOS);
  return { vocab: new Map(tokens.map((t, id) => [t, id])), merges };
}

/**
 * Writes DIR/{vocab.json, merges.txt, tokenizer_config.json, special_tokens_map.json} as CLIP's
 * tokenizer folder has them, padding to `maxLength` tokens (CLIP's 77 unless given).
 */
export async function writeCLIPTokenizerFiles(dir: string, bpe: TrainedBPE, maxLength = 77): Promise<void> {
  const specials = { bos_token: BOS, eos_token: EOS, pad_token: EOS, unk_token: EOS };
  const config = {
    ...specials,
    add_prefix_space: false,
    do_lower_case: true,
    errors: "replace",
    model_max_length: maxLength,
    tokenizer_class: "CLIPTokenizer",
  };
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  await fs.promises.mkdir(dir, { recursive: true });
  await fs.promises.writeFile(path.join(dir, "vocab.json"), JSON.stringify(Object.fromEntries(bpe.vocab)));
  await fs.promises.writeFile(path.join(dir, "merges.txt"), ["#version: 0.2", ...bpe.merges.map((m) => m.join(" "))].join("\n") + "\n");
  await fs.promises.writeFile(path.join(dir, "tokenizer_config.json"), json(config));
  await fs.promises.writeFile(path.join(dir, "special_tokens_map.json"), json(specials));
}
