import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ByteLevelBPE } from "./byte_level_bpe";
import { cleanText } from "./clean_text";

/**
 * transformers' CLIPTokenizer as Stable Diffusion calls it:
 * `tokenizer(texts, padding="max_length", max_length=77, truncation=True)`.
 */

/** CLIP's pre-tokenizer: special tokens, contractions, letter runs, single digits, runs of other symbols. */
const WORD_PATTERN = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/giu;

/** Splits a text around special tokens, keeping them at odd indices. */
const SPECIAL_SPLIT = /(<\|startoftext\|>|<\|endoftext\|>)/;

/** CLIP was trained with 49152 - 256 - 2 merges; merges.txt's first line is a version comment. */
const MERGE_COUNT = 49152 - 256 - 2;

/** CLIP's text cleanup then its pre-tokenizer: the words BPE then splits into tokens. */
export function preTokenize(text: string): string[] {
  return cleanText(text).match(WORD_PATTERN) ?? [];
}

interface SpecialTokens {
  bos: string;
  eos: string;
  pad: string;
  unk: string;
}

/** special_tokens_map.json holds either plain strings or {content: ...} objects. */
function tokenContent(value: unknown, fallback: string): string {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && typeof (value as { content?: unknown }).content === "string") {
    return (value as { content: string }).content;
  }
  return fallback;
}

async function readJsonIfPresent(file: string): Promise<Record<string, unknown>> {
  return fs.existsSync(file) ? (JSON.parse(await fs.promises.readFile(file, "utf8")) as Record<string, unknown>) : {};
}

export class CLIPTokenizer {
  private readonly bpe: ByteLevelBPE;
  private readonly idToToken: Map<number, string>;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  private readonly unkId: number;
  /** The number of rows a text encoder's token embedding needs: the largest id plus one. */
  readonly vocabSize: number;

  constructor(
    private readonly vocab: Map<string, number>,
    merges: Array<[string, string]>,
    special: SpecialTokens,
    readonly maxLength = 77,
  ) {
    this.bpe = new ByteLevelBPE(merges, ["<|startoftext|>", "<|endoftext|>"]);
    this.idToToken = new Map([...vocab].map(([token, id]) => [id, token]));
    this.vocabSize = [...vocab.values()].reduce((a, b) => Math.max(a, b), -1) + 1;
    const id = (token: string): number => {
      const found = vocab.get(token);
      if (found === undefined) throw new Error(`special token ${token} is not in the vocabulary`);
      return found;
    };
    this.bosId = id(special.bos);
    this.eosId = id(special.eos);
    this.padId = id(special.pad);
    this.unkId = id(special.unk);
  }

  /** Reads PIPELINE/tokenizer/{vocab.json, merges.txt, special_tokens_map.json, tokenizer_config.json}. */
  static async fromPretrained(pipelineDir: string): Promise<CLIPTokenizer> {
    const dir = path.join(pipelineDir, "tokenizer");
    const vocabFile = path.join(dir, "vocab.json");
    const mergesFile = path.join(dir, "merges.txt");
    for (const f of [vocabFile, mergesFile]) if (!fs.existsSync(f)) throw new Error(`missing file ${f}`);
    const vocab = new Map(Object.entries(JSON.parse(await fs.promises.readFile(vocabFile, "utf8")) as Record<string, number>));
    const merges = (await fs.promises.readFile(mergesFile, "utf8"))
      .trim()
      .split("\n")
      .slice(1, MERGE_COUNT + 1)
      .map((line) => line.split(/\s+/) as [string, string]);
    const map = await readJsonIfPresent(path.join(dir, "special_tokens_map.json"));
    const config = await readJsonIfPresent(path.join(dir, "tokenizer_config.json"));
    const special = (name: string, fallback: string): string => tokenContent(map[name] ?? config[name], fallback);
    const maxLength = typeof config.model_max_length === "number" && config.model_max_length < 1e6 ? config.model_max_length : 77;
    return new CLIPTokenizer(
      vocab,
      merges,
      {
        bos: special("bos_token", "<|startoftext|>"),
        eos: special("eos_token", "<|endoftext|>"),
        pad: special("pad_token", "<|endoftext|>"),
        unk: special("unk_token", "<|endoftext|>"),
      },
      maxLength,
    );
  }

  /**
   * The BPE tokens of a text, before bos/eos and truncation. Special-token strings in the
   * text are cut out first and the pieces between them cleaned separately, as transformers does.
   */
  tokenize(text: string): string[] {
    return text.split(SPECIAL_SPLIT).flatMap((piece, i) => {
      if (i % 2 === 1) return [piece];
      return preTokenize(piece).flatMap((w) => this.bpe.encodeWord(w));
    });
  }

  /** The ids of a text's tokens, before bos/eos and truncation. */
  tokenIds(text: string): number[] {
    return this.tokenize(text).map((t) => this.vocab.get(t) ?? this.unkId);
  }

  /** bos + ids (truncated so that eos stays last) + eos, padded with the pad token to maxLength. */
  encodeOne(text: string): Int32Array {
    const ids = this.tokenIds(text);
    const out = new Int32Array(this.maxLength).fill(this.padId);
    const body = ids.slice(0, this.maxLength - 2);
    out[0] = this.bosId;
    out.set(body, 1);
    out[body.length + 1] = this.eosId;
    return out;
  }

  encode(texts: string[]): Int32Array[] {
    return texts.map((t) => this.encodeOne(t));
  }

  /** The int32 [N, maxLength] input_ids tensor of a batch of texts. */
  encodeToTensor(texts: string[]): tf.Tensor2D {
    const rows = this.encode(texts);
    const flat = new Int32Array(rows.length * this.maxLength);
    rows.forEach((r, i) => flat.set(r, i * this.maxLength));
    return tf.tensor2d(flat, [rows.length, this.maxLength], "int32");
  }

  /** The text of a row of ids, special tokens dropped (for logs and tests). */
  decode(ids: ArrayLike<number>): string {
    const specials = new Set([this.bosId, this.eosId, this.padId]);
    const tokens = Array.from(ids, (id) => (specials.has(id) ? undefined : this.idToToken.get(id))).filter((t) => t !== undefined);
    return ByteLevelBPE.decode(tokens);
  }
}
