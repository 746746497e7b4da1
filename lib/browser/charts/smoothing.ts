/**
 * Time-weighted exponential moving average, the default smoothing of W&B and
 * SwanLab. A plain EMA decays once per point, so a densely logged series is
 * smoothed far more than a sparse one. Here the decay applied between two
 * points grows with the x gap between them, measured as a fraction of the
 * series' x range, so lines of different density (or a downsampled line and
 * its raw counterpart) smooth alike. A debias term keeps early values from
 * being pulled towards zero.
 */

/** A series of `VIEWPORT_POINTS` evenly spaced points decays like a plain EMA with the same weight. */
export const VIEWPORT_POINTS = 1000;

/**
 * Smooths `ys` (at positions `xs`, ascending) with strength `amount` in [0, 1):
 * 0 returns the values unchanged. Non-finite values are passed through as NaN
 * and do not disturb the average.
 */
export function timeWeightedEma(xs: ArrayLike<number>, ys: ArrayLike<number>, amount: number): Float64Array {
  const n = Math.min(xs.length, ys.length);
  const out = new Float64Array(n);
  // The slider is perceptually linear in sqrt, as in W&B; capped so the line never freezes.
  const weight = Math.min(Math.sqrt(Math.max(0, amount)), 0.999);
  if (weight === 0) {
    for (let i = 0; i < n; i++) out[i] = Number.isFinite(ys[i]) ? ys[i] : NaN;
    return out;
  }
  const range = xRange(xs, n);
  let acc = 0;
  let norm = 0;
  let prevX = NaN;
  for (let i = 0; i < n; i++) {
    const y = ys[i];
    if (!Number.isFinite(y)) {
      out[i] = NaN;
      continue;
    }
    const gap = Number.isNaN(prevX) || range === 0 ? 0 : ((xs[i] - prevX) / range) * VIEWPORT_POINTS;
    const decay = Math.pow(weight, gap);
    acc = acc * decay + y;
    norm = norm * decay + 1;
    out[i] = acc / norm;
    prevX = xs[i];
  }
  return out;
}

function xRange(xs: ArrayLike<number>, n: number): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    if (xs[i] < lo) lo = xs[i];
    if (xs[i] > hi) hi = xs[i];
  }
  return n > 1 ? hi - lo : 0;
}
