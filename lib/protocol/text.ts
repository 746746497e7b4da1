/**
 * What PostgreSQL can store as text: no NUL byte, and valid UTF-16 (a lone
 * surrogate cannot be encoded as UTF-8). One rule for every text field:
 * names (metric keys, projects, run names, tags, emails) that break it are
 * refused, free text (log lines, captions, notes, errors, JSON configs) is
 * cleaned by replacing the offending characters with U+FFFD.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function isStorableText(s: string): boolean {
  UNSTORABLE.lastIndex = 0;
  return !UNSTORABLE.test(s);
}

export function cleanText(s: string): string {
  return s.replace(UNSTORABLE, "\uFFFD");
}

/** Deepest nesting accepted in a JSON document (configs, environments); PostgreSQL's jsonb gives up far deeper. */
export const MAX_JSON_DEPTH = 64;

/**
 * A copy of a JSON value with every key and string cleaned, or a mark that it nests deeper than MAX_JSON_DEPTH (recursion stops there).
 */
export function cleanJson(value: unknown, depth = 0): { value: unknown } | { tooDeep: true } {
  if (typeof value === "string") return { value: cleanText(value) };
  if (value === null || typeof value !== "object") return { value };
  if (depth >= MAX_JSON_DEPTH) return { tooDeep: true };
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const r = cleanJson(item, depth + 1);
      if ("tooDeep" in r) return r;
      out.push(r.value);
    }
    return { value: out };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const r = cleanJson(v, depth + 1);
    if ("tooDeep" in r) return r;
    out[cleanText(k)] = r.value;
  }
  return { value: out };
}
