/**
 * One colour per run, used by every part of a view (chart lines, legend,
 * table headers, image labels). Picked from a qualitative palette that reads
 * on light and dark backgrounds; beyond its length hues are spread evenly.
 */
const PALETTE = ["#2f6fde", "#e5603b", "#2a9d5b", "#a24bd0", "#d9a21b", "#1aa3b8", "#d6457f", "#6b7a10", "#8a5a3c", "#5563c9"];

export function runColor(i: number): string {
  if (i < PALETTE.length) return PALETTE[i];
  return `hsl(${Math.round((i * 137.508) % 360)} 65% 48%)`;
}

/** The colour with an alpha, for faint raw lines and min/max bands. */
export function fade(color: string, alpha: number): string {
  if (color.startsWith("#") && color.length === 7) {
    const a = Math.round(alpha * 255)
      .toString(16)
      .padStart(2, "0");
    return color + a;
  }
  return color.replace(/\)$/, ` / ${alpha})`);
}
