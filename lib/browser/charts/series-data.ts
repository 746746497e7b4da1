/**
 * Chart series in the browser: points as the server sends them (possibly
 * downsampled, with each bucket's min and max), merged with live points, and
 * mapped onto the chosen x axis with smoothing applied.
 */
import type { Series, SeriesPoint } from "@/lib/protocol/schemas";
import { fromWireNumber } from "@/lib/protocol/wire";
import type { XAxis } from "./view-state";
import { timeWeightedEma } from "./smoothing";
import type { LivePoint } from "./metric-bus";

/** A series point decoded for plotting: numbers instead of wire numbers, wall time (when known) in epoch milliseconds. */
export type PlotPoint = Pick<SeriesPoint, "step" | "count"> & { value: number; min?: number; max?: number; time?: number };

/** Series read for a chart's first view, per run, with the bucket count each was read at. */
export interface InitialSeries {
  buckets: Record<string, number>;
  series: Record<string, Series>;
}

/** The initial series of a page's first charts, by metric key. */
export type InitialSeriesByKey = Record<string, InitialSeries>;

export interface LoadedSeries {
  downsampled: boolean;
  points: PlotPoint[];
}

export function fromWire(s: Series): LoadedSeries {
  return {
    downsampled: s.downsampled,
    points: s.points.map((p) => ({
      step: p.step,
      value: fromWireNumber(p.value),
      ...(p.min !== undefined && p.min !== null ? { min: fromWireNumber(p.min) } : {}),
      ...(p.max !== undefined && p.max !== null ? { max: fromWireNumber(p.max) } : {}),
      ...(p.count !== undefined ? { count: p.count } : {}),
      ...(p.time ? { time: Date.parse(p.time) } : {}),
    })),
  };
}

/** Adds live points after the loaded ones; a step already present is ignored (stored points never change). */
export function appendLive(series: LoadedSeries, live: readonly (LivePoint | PlotPoint)[]): LoadedSeries {
  const last = series.points.length ? series.points[series.points.length - 1].step : -1;
  const fresh = live.filter((p) => p.step > last);
  if (!fresh.length) return series;
  return { ...series, points: [...series.points, ...fresh.map((p) => ({ step: p.step, value: p.value, ...(p.time !== undefined ? { time: p.time } : {}) }))] };
}

export interface XY {
  x: number;
  y: number;
  /** The source point, for tooltips. */
  p: PlotPoint;
}

/**
 * Where each point sits on the x axis: its step, seconds since `origin`, or
 * wall time in ms. Points without a wall time are left out of time axes.
 */
export function xOf(p: PlotPoint, axis: XAxis, origin: number): number | null {
  if (axis === "step") return p.step;
  if (p.time === undefined) return null;
  return axis === "relative" ? (p.time - origin) / 1000 : p.time;
}

export interface PlotLines {
  raw: XY[];
  smooth: XY[] | null;
  band: { lo: XY[]; hi: XY[] } | null;
}

export function plotLines(series: LoadedSeries, axis: XAxis, origin: number, smoothing: number): PlotLines {
  const raw: XY[] = [];
  for (const p of series.points) {
    const x = xOf(p, axis, origin);
    if (x !== null) raw.push({ x, y: p.value, p });
  }
  let smooth: XY[] | null = null;
  if (smoothing > 0 && raw.length > 1) {
    const ys = timeWeightedEma(
      raw.map((r) => r.x),
      raw.map((r) => r.y),
      smoothing,
    );
    smooth = raw.map((r, i) => ({ x: r.x, y: ys[i], p: r.p }));
  }
  let band: PlotLines["band"] = null;
  if (series.downsampled) {
    const withRange = raw.filter((r) => r.p.min !== undefined && r.p.max !== undefined && (r.p.count ?? 1) > 1);
    if (withRange.length) band = { lo: withRange.map((r) => ({ x: r.x, y: r.p.min!, p: r.p })), hi: withRange.map((r) => ({ x: r.x, y: r.p.max!, p: r.p })) };
  }
  return { raw, smooth, band };
}

/** The step range covered by the points whose x lies in [lo, hi]; used to refetch a zoomed range. */
export function stepRange(series: readonly LoadedSeries[], axis: XAxis, origin: number, lo: number, hi: number): { from: number; to: number } | null {
  let from = Infinity;
  let to = -Infinity;
  for (const s of series) {
    const pts = s.points;
    for (let i = 0; i < pts.length; i++) {
      const x = xOf(pts[i], axis, origin);
      if (x === null || x < lo || x > hi) continue;
      // A downsampled point stands for the bucket that ends at its step, so include the previous one's end.
      from = Math.min(from, i > 0 ? pts[i - 1].step : pts[i].step);
      to = Math.max(to, i + 1 < pts.length ? pts[i + 1].step : pts[i].step);
    }
  }
  if (axis === "step") return { from: Math.max(0, Math.floor(lo)), to: Math.ceil(hi) };
  return Number.isFinite(from) ? { from, to } : null;
}
