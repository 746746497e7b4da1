import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { selectBackend } from "../../../trainer/backend";
import { run as runTokenizeCase } from "../../../trainer/conformance/kinds/tokenize";
import { cleanText } from "../../../trainer/tokenizer/clean_text";
import { CLIPTokenizer } from "../../../trainer/tokenizer/clip_tokenizer";
import { htmlUnescape } from "../../../trainer/tokenizer/html_unescape";
import { requireGoldenSet, runGoldenCase } from "../golden";

await selectBackend();

const BOS = 49406;
const EOS = 49407;

/** The SD1.5 tokenizer files ship with the golden set. */
async function sd15Tokenizer(): Promise<CLIPTokenizer> {
  return CLIPTokenizer.fromPretrained(path.join(requireGoldenSet(), "model"));
}

test("tokenize matches transformers' CLIPTokenizer on the golden case", async () => {
  const result = await runGoldenCase("tokenize", runTokenizeCase);
  assert.equal(result.worst, 0, result.detail);
});

/**
 * Token ids (between bos and eos) computed by running transformers' CLIPTokenizer
 * algorithm (its pattern on Python's `regex`, its BPE loop) on the SD1.5 vocabulary.
 */
const VECTORS: Array<[string, number[]]> = [
  ["I'm sure they'll've done it, didn't they? You're WE'D", [328, 880, 1650, 889, 1342, 1200, 1700, 585, 267, 2376, 713, 889, 286, 592, 982, 649, 1896]],
  ["Numbers: 1234567 and 3.14159, 1/2 & 50%", [6121, 281, 272, 273, 274, 275, 276, 277, 278, 537, 274, 269, 272, 275, 272, 276, 280, 267, 272, 270, 273, 261, 276, 271, 260]],
  ["café naïve résumé — “quoted” ‘single’ …", [15304, 1097, 35689, 563, 29106, 7054, 4166, 2005, 257, 27706, 257, 568, 17005, 262, 959]],
  ["emoji 🐱🔥 and CJK 猫の絵", [16327, 35710, 3016, 537, 66, 9702, 163, 234, 104, 21575, 37810, 369]],
  ["tabs\tand\nnewlines   and\u00a0\u3000spaces  ", [29163, 537, 1218, 3418, 537, 9006]],
  ["&amp; &lt;b&gt; &#39;quoted&#39; &quot;x&quot; &#x27;hex&#x27; AT&T", [261, 283, 321, 285, 262, 27706, 262, 257, 343, 257, 262, 31241, 262, 536, 261, 339]],
  ["a <|endoftext|> inside &amp; text", [320, EOS, 2912, 261, 4160]],
  ["HELLO World", [3306, 1002]],
  ["under_score-dash.dot,comma!!!??? ...", [1798, 318, 4431, 268, 10206, 269, 7004, 267, 965, 320, 11194, 3824, 678]],
  ["x".repeat(65), [...Array<number>(15).fill(32035), 44195]],
  ["", []],
  ["e\u0301le\u0300ve", [3459, 75, 12138, 563]],
];

test("tricky strings: contractions, digits, punctuation, unicode, html, whitespace", async () => {
  const tokenizer = await sd15Tokenizer();
  for (const [text, body] of VECTORS) {
    const want = new Int32Array(77).fill(EOS);
    want.set([BOS, ...body, EOS]);
    assert.deepEqual(tokenizer.encode([text])[0], want, JSON.stringify(text));
  }
});

test("long prompts are truncated to 77 with eos last", async () => {
  const tokenizer = await sd15Tokenizer();
  const text = "a very long prompt about a ninja, ".repeat(20);
  const all = tokenizer.tokenIds(text);
  assert.ok(all.length > 75);
  const [row] = tokenizer.encode([text]);
  assert.equal(row.length, 77);
  assert.equal(row[0], BOS);
  assert.deepEqual(Array.from(row.slice(1, 76)), all.slice(0, 75));
  assert.equal(row[76], EOS);
  const ids = tokenizer.encodeToTensor([text, "short"]);
  assert.deepEqual(ids.shape, [2, 77]);
  assert.equal(ids.dtype, "int32");
  ids.dispose();
});

test("decode inverts encode up to cleanup", async () => {
  const tokenizer = await sd15Tokenizer();
  for (const text of ["Naruto's friend, SMILING at 3 o'clock!!", "café 🐱 猫"]) {
    assert.equal(tokenizer.decode(tokenizer.encode([text])[0]).replace(/ /g, ""), cleanText(text).replace(/ /g, ""));
  }
});

test("html unescape follows Python's html.unescape", () => {
  assert.equal(htmlUnescape("&amp; &lt;&gt; &quot;&apos; &#39;&#x27;"), "& <> \"' ''");
  assert.equal(htmlUnescape("&#146;s &#8364; &#0; &#xD800;"), "’s € \ufffd \ufffd");
  assert.equal(htmlUnescape("AT&T &ampx &amp &copy2024 &bogus; &apos"), "AT&T &x & ©2024 &bogus; &apos");
});

test("text cleanup: ftfy-like fixes, whitespace, lower case", () => {
  assert.equal(cleanText("  Ｆｕｌｌ\u3000ｗｉｄｔｈ ﬁsh “Quote” it’s \u0007bell\u200b "), 'full width fish "quote" it\'s bell\u200b');
  assert.equal(cleanText("e\u0301 \r\n\t x\u0085y"), "\u00e9 x y");
  assert.equal(cleanText("<b>&amp;</b>"), "<b>&amp;</b>"); // looks like markup: left escaped, as ftfy does
});
