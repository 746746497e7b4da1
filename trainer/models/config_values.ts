/** Typed reads of diffusers config.json values, with the class defaults for absent or null keys. */

function read(config: Record<string, unknown>, key: string): unknown {
  return config[key] ?? undefined;
}

function fail(key: string, want: string, got: unknown): never {
  throw new Error(`config: ${key} should be ${want}, got ${JSON.stringify(got)}`);
}

export function configNumber(config: Record<string, unknown>, key: string, fallback: number): number {
  const v = read(config, key) ?? fallback;
  return typeof v === "number" ? v : fail(key, "a number", v);
}

export function configBoolean(config: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = read(config, key) ?? fallback;
  return typeof v === "boolean" ? v : fail(key, "a boolean", v);
}

export function configString(config: Record<string, unknown>, key: string, fallback: string): string {
  const v = read(config, key) ?? fallback;
  return typeof v === "string" ? v : fail(key, "a string", v);
}

export function configList<T extends number | string>(config: Record<string, unknown>, key: string, fallback: T[]): T[] {
  const v = read(config, key) ?? fallback;
  return Array.isArray(v) ? (v as T[]) : fail(key, "a list", v);
}

/** An int or one value per block, as a per-block list (diffusers broadcasts an int). */
export function configPerBlock(config: Record<string, unknown>, key: string, fallback: number, blocks: number): number[] {
  const v = read(config, key) ?? fallback;
  if (typeof v === "number") return Array<number>(blocks).fill(v);
  if (Array.isArray(v) && v.length === blocks && v.every((x) => typeof x === "number")) return v as number[];
  return fail(key, `a number or a list of ${blocks} numbers`, v);
}

/** Rejects options this port does not implement, so an unsupported checkpoint fails loudly instead of computing something else. */
export function requireSetting(config: Record<string, unknown>, key: string, allowed: unknown[]): void {
  const v = read(config, key) ?? null;
  if (!allowed.some((a) => a === v)) fail(key, `one of ${JSON.stringify(allowed)} (the only values supported)`, v);
}
