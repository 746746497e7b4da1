/**
 * GPT-2 style byte-level BPE as CLIP uses it: each UTF-8 byte of a word maps to
 * a printable character, the last one carries the `</w>` end-of-word marker,
 * and merges apply lowest rank first until none applies.
 */

/** byte -> printable character; printable Latin-1 bytes map to themselves, the rest to U+0100 onwards. */
function byteToCharTable(): string[] {
  const table: string[] = new Array(256);
  let next = 256;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    table[b] = String.fromCodePoint(printable ? b : next++);
  }
  return table;
}

const BYTE_TO_CHAR = byteToCharTable();
const CHAR_TO_BYTE = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));
export const END_OF_WORD = "</w>";

/** The 256 byte symbols in CLIP's vocab order (by code point: printable bytes first, then the remapped ones). */
export const BYTE_SYMBOLS: readonly string[] = [...BYTE_TO_CHAR].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);

/** A word as BPE starts from it: one symbol per UTF-8 byte, the last carrying `</w>`. */
export function byteSymbolsOf(word: string): string[] {
  const symbols = [...new TextEncoder().encode(word)].map((b) => BYTE_TO_CHAR[b]);
  symbols[symbols.length - 1] += END_OF_WORD;
  return symbols;
}

export class ByteLevelBPE {
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, string[]>();

  /** `merges` in rank order, each a pair of symbols; `atomic` words bypass BPE (special tokens). */
  constructor(merges: Array<[string, string]>, atomic: string[]) {
    merges.forEach(([a, b], rank) => this.ranks.set(`${a} ${b}`, rank));
    for (const word of atomic) this.cache.set(word, [word]);
  }

  /** The BPE symbols of one pre-tokenized word. */
  encodeWord(word: string): string[] {
    const cached = this.cache.get(word);
    if (cached) return cached;
    const merged = this.merge(byteSymbolsOf(word));
    this.cache.set(word, merged);
    return merged;
  }

  private merge(word: string[]): string[] {
    while (word.length > 1) {
      let best = Infinity;
      let pair = "";
      for (let i = 0; i < word.length - 1; i++) {
        const rank = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (rank !== undefined && rank < best) {
          best = rank;
          pair = `${word[i]} ${word[i + 1]}`;
        }
      }
      if (best === Infinity) break;
      const [first, second] = pair.split(" ");
      const next: string[] = [];
      for (let i = 0; i < word.length; i++) {
        if (word[i] === first && word[i + 1] === second && i < word.length - 1) {
          next.push(first + second);
          i++;
        } else next.push(word[i]);
      }
      word = next;
    }
    return word;
  }

  /** The text spelled by a sequence of symbols, `</w>` becoming a space. */
  static decode(symbols: string[]): string {
    const text = symbols.join("");
    const bytes: number[] = [];
    for (const part of text.split(END_OF_WORD).join(" ")) {
      const b = CHAR_TO_BYTE.get(part);
      if (b !== undefined) bytes.push(b);
      else bytes.push(...new TextEncoder().encode(part));
    }
    return new TextDecoder().decode(new Uint8Array(bytes)).trim();
  }
}
