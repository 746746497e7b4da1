/**
 * How many buckets to ask the server for. One per pixel of chart width is the
 * ideal; but when a coarser grid aligned with one of the server's rollup
 * widths still gives at least one bucket per two pixels, the finest such grid
 * is used instead: the server then reads whole precomputed rollups rather than
 * regrouping raw points or splitting rollups across uneven buckets, and each
 * bucket's min/max band keeps spikes visible at that resolution.
 */
import { ROLLUP_WIDTHS } from "@/lib/protocol/wire";

export function chooseBuckets(pixels: number, span: number): number {
  const px = Math.max(1, Math.round(pixels));
  if (!(span > px)) return px;
  for (const width of ROLLUP_WIDTHS) {
    const aligned = Math.floor(span / width);
    if (aligned < px) return aligned >= px / 2 ? aligned : px;
  }
  return px;
}
