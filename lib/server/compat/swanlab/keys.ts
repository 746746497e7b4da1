/**
 * SwanLab names its system metrics "__swanlab__.cpu.pct"; Inkstone groups
 * system metrics under "system/", so they are stored as "system/cpu.pct".
 */
const SWANLAB_SYSTEM = "__swanlab__.";
const INKSTONE_SYSTEM = "system/";

export function inkstoneKey(key: string): string {
  return key.startsWith(SWANLAB_SYSTEM) ? INKSTONE_SYSTEM + key.slice(SWANLAB_SYSTEM.length) : key;
}

export function swanlabKey(key: string): string {
  return key.startsWith(INKSTONE_SYSTEM) ? SWANLAB_SYSTEM + key.slice(INKSTONE_SYSTEM.length) : key;
}
