/**
 * Python's html.unescape for the entities that occur in captions: every numeric
 * reference (with Python's windows-1252 repair of &#128;-&#159;) and the common
 * named ones. Latin-1 names also match without the semicolon, as in HTML5.
 */

const NAMED: Record<string, string> = {
  amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", AMP: "&", LT: "<", GT: ">", QUOT: '"',
  nbsp: "\u00a0", copy: "©", COPY: "©", reg: "®", REG: "®", deg: "°", times: "×", divide: "÷",
  middot: "·", laquo: "«", raquo: "»", cent: "¢", pound: "£", yen: "¥", sect: "§", para: "¶",
  plusmn: "±", micro: "µ", frac12: "½", frac14: "¼", frac34: "¾", sup2: "²", sup3: "³",
  iexcl: "¡", iquest: "¿", szlig: "ß", ntilde: "ñ", ccedil: "ç", eacute: "é", egrave: "è",
  ecirc: "ê", euml: "ë", aacute: "á", agrave: "à", acirc: "â", auml: "ä", aring: "å", oacute: "ó",
  ograve: "ò", ocirc: "ô", ouml: "ö", oslash: "ø", uacute: "ú", ugrave: "ù", ucirc: "û", uuml: "ü",
  iacute: "í", igrave: "ì", icirc: "î", iuml: "ï", Eacute: "É", Auml: "Ä", Ouml: "Ö", Uuml: "Ü",
  trade: "™", hellip: "…", mdash: "—", ndash: "–", lsquo: "‘", rsquo: "’", ldquo: "“", rdquo: "”",
  sbquo: "‚", bdquo: "„", bull: "•", euro: "€", dagger: "†", hearts: "♥", larr: "←", rarr: "→",
};

/** HTML5 lets only the Latin-1 entities (and never &apos;) omit the semicolon. */
const LEGACY = new Set(Object.keys(NAMED).filter((k) => k !== "apos" && NAMED[k].codePointAt(0)! < 256));

/** &#128;-&#159; name windows-1252 characters in real-world HTML; Python maps them so. */
const CP1252 = "€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8dŽ\x8f\x90‘’“”•–—˜™š›œ\x9džŸ";

function numeric(code: number): string {
  if (code >= 0x80 && code <= 0x9f) return CP1252[code - 0x80];
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return "\ufffd";
  return String.fromCodePoint(code);
}

function named(ref: string): string {
  if (ref.endsWith(";") && Object.hasOwn(NAMED, ref.slice(0, -1))) return NAMED[ref.slice(0, -1)];
  // The longest legacy entity that prefixes the reference, keeping the rest as text.
  for (let n = ref.length; n > 1; n--) {
    const name = ref.slice(0, n);
    if (LEGACY.has(name)) return NAMED[name] + ref.slice(n);
  }
  return `&${ref}`;
}

export function htmlUnescape(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g, (_, ref: string) => {
    if (ref[0] !== "#") return named(ref);
    const hex = ref[1] === "x" || ref[1] === "X";
    return numeric(parseInt(ref.slice(hex ? 2 : 1).replace(";", ""), hex ? 16 : 10));
  });
}
