import { htmlUnescape } from "./html_unescape";

/**
 * The text cleanup transformers' CLIPTokenizer applies before splitting:
 * `whitespace_clean(ftfy.fix_text(text)).lower()`. Of ftfy we keep the fixes that
 * change ordinary captions (HTML entities, curly quotes, ligatures, full-width
 * forms, control characters, NFC) and leave out mojibake repair.
 */

/** ftfy unescapes HTML only when the text does not look like markup. */
function unescapeUnlessMarkup(text: string): string {
  return text.includes("<") ? text : htmlUnescape(text);
}

const LIGATURES: Record<string, string> = { "ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "ſt", "ﬆ": "st" };

/** Full-width and half-width forms become their ordinary single-character equivalents. */
function fixCharacterWidth(text: string): string {
  return text.replace(/[\u3000\uff01-\uffee]/g, (c) => {
    const n = c.normalize("NFKC");
    return n.length === 1 ? n : c;
  });
}

/** ftfy's remove_control_chars set (C0 controls other than whitespace, BOM, bidi and tag controls). */
const CONTROL = /[\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufeff\ufff9-\ufffc\u{1d173}-\u{1d17a}\u{e0000}-\u{e007f}]/gu;

/** Python's `\s` on str; of what JS's `\s` lacks, only NEL survives the control-character pass. */
const WHITESPACE = /[\s\x85]+/g;

export function cleanText(text: string): string {
  const fixed = unescapeUnlessMarkup(text)
    .replace(/[\ufb00-\ufb06]/g, (c) => LIGATURES[c])
    .replace(/[\u02bc\u2018-\u201b]/g, "'")
    .replace(/[\u201c-\u201f]/g, '"')
    .replace(CONTROL, "");
  return fixCharacterWidth(fixed).normalize("NFC").replace(WHITESPACE, " ").trim().toLowerCase();
}
