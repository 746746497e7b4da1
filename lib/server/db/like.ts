/**
 * Prisma's `contains` becomes `LIKE '%…%'` without escaping, so `_` and `%`
 * typed into a search box would match anything. This makes them literal
 * (backslash is LIKE's default escape character in PostgreSQL).
 */
export function likeLiteral(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
