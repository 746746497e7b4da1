/**
 * How many buckets to ask the server for. One per pixel of chart width is the
 * ideal; but when a coarser grid aligned with the server's finest rollup still
 * gives at least one bucket per two pixels, that grid is used instead: the
 * server then reads precomputed rollups rather than regrouping every raw point
 * (several times cheaper for long series), and each bucket's min/max band
 * keeps spikes visible at that resolution.
 */
import { ROLLUP_WIDTHS } from "@/lib/metrics/rollup";

export function chooseBuckets(pixels: number, span: number): number {
  const px = Math.max(1, Math.round(pixels));
  if (!(span > px)) return px;
  const aligned = Math.floor(span / ROLLUP_WIDTHS[0]);
  return aligned >= px / 2 && aligned < px ? aligned : px;
}
