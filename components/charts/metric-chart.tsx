"use client";
/**
 * One chart.js chart for one metric key, with one line per run. Loads each
 * run's series downsampled to the chart's pixel width, refetches the visible
 * range after a zoom or pan, appends live points as they arrive, and draws the
 * smoothed line over the faint raw line (and the min/max band of downsampled
 * buckets behind both).
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { Chart, ChartDataset } from "chart.js";
import { loadChartJs } from "@/lib/browser/charts/chartjs";
import { errorText } from "@/lib/browser/client/api";
import type { SeriesLoader } from "@/lib/browser/charts/series-loader";
import { chooseBuckets } from "@/lib/browser/charts/buckets";
import { fade } from "@/lib/browser/charts/colors";
import type { MetricBus } from "@/lib/browser/charts/metric-bus";
import { appendLive, fromWire, plotLines, stepRange, type InitialSeries, type InitialSeriesByKey, type LoadedSeries, type XY } from "@/lib/browser/charts/series-data";
import type { XAxis } from "@/lib/browser/charts/view-state";
import { formatClock, formatExact, formatTick } from "@/lib/browser/format";
import { useChartTheme, type ChartTheme } from "./use-chart-theme";
import styles from "./charts.module.css";

export interface ChartRun {
  runId: string;
  label: string;
  color: string;
  /** Origin of the relative-time axis (epoch ms). */
  origin: number;
}

export interface MetricChartProps {
  metricKey: string;
  runs: ChartRun[];
  x: XAxis;
  smoothing: number;
  log: boolean;
  /** Steps each run has logged for this key (its last step + 1), to pick bucket counts. */
  spans?: Record<string, number>;
  /** Batches the series reads of every chart on the page. */
  loader: SeriesLoader;
  bus: MetricBus;
  /** The page's first charts' series, when the server reads them with the page. */
  initial?: Promise<InitialSeriesByKey>;
  /** Taller chart when shown alone. */
  large?: boolean;
  onTitleClick?: () => void;
}

type Role = "band-lo" | "band-hi" | "raw" | "smooth";
interface Meta {
  role: Role;
  label: string;
}

/** A catch-up after a reconnect reads up to this many points raw; more means a fresh downsample. */
const CATCH_UP_BUCKETS = 2000;

/** Whether the server's first read suits this chart: raw, or downsampled to about the count the chart would ask for. */
function initialFits(init: InitialSeries | undefined, runIds: string[], bucketsFor: (runId: string) => number): boolean {
  return runIds.every((id) => {
    const s = init?.series[id];
    if (!s) return false;
    const ratio = bucketsFor(id) / init!.buckets[id];
    return !s.downsampled || (ratio > 0.6 && ratio < 1.6);
  });
}

/** A line of this many points or fewer also draws its points: two samples read as two, not as one straight line. */
const SPARSE_POINTS = 60;

/** Min/max bands of more runs than this overlap into noise; their lines are drawn alone. */
const MAX_BANDED_RUNS = 3;

/** Live points beyond this many buckets' worth trigger a fresh downsample. */
const REFETCH_AFTER_LIVE = 0.25;

export function MetricChart(props: MetricChartProps) {
  const { metricKey, runs, x, smoothing, log, loader, bus, initial, spans, large, onTitleClick } = props;
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<Chart<"line", XY[]> | null>(null);
  const metaRef = useRef<Meta[]>([]);
  const [series, setSeries] = useState<Map<string, LoadedSeries>>(new Map());
  const seriesRef = useRef(series);
  seriesRef.current = series;
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [zoomed, setZoomed] = useState<{ from: number; to: number } | null>(null);
  const zoomedRef = useRef(zoomed);
  zoomedRef.current = zoomed;
  const liveCount = useRef(new Map<string, number>());
  const fetchSeq = useRef(0);
  const runKey = runs.map((r) => r.runId).join(",");
  const theme = useChartTheme();

  const pixels = useCallback(() => Math.max(100, Math.min(4000, Math.round(boxRef.current?.clientWidth ?? 600))), []);
  const spansRef = useRef(spans);
  spansRef.current = spans;
  const bucketsFor = useCallback(
    (runId: string, range: { from: number; to: number } | null = null) => chooseBuckets(pixels(), range ? range.to - range.from + 1 : (spansRef.current?.[runId] ?? 0)),
    [pixels],
  );

  const load = useCallback(
    async (range: { from: number; to: number } | null) => {
      const seq = ++fetchSeq.current;
      setLoading(true);
      try {
        const loaded = await Promise.all(
          runKey
            .split(",")
            .filter(Boolean)
            .map(async (runId) => [runId, fromWire(await loader.load({ runId, key: metricKey, buckets: bucketsFor(runId, range), ...(range ?? {}) }))] as const),
        );
        if (seq !== fetchSeq.current) return;
        liveCount.current.clear();
        setSeries(new Map(loaded));
        setError(null);
      } catch (err) {
        if (seq === fetchSeq.current) setError(`could not load ${metricKey}: ${errorText(err)}`);
      } finally {
        if (seq === fetchSeq.current) setLoading(false);
      }
    },
    [metricKey, runKey, loader, bucketsFor],
  );

  // The server may be reading the first view with the page; it is used when it
  // was downsampled to about this chart's width.
  const initialRef = useRef(initial);
  useEffect(() => {
    const init = initialRef.current;
    initialRef.current = undefined;
    if (!init) return void load(null);
    let current = true;
    init.then(
      (byKey) => {
        if (!current) return;
        const chart = byKey[metricKey];
        const runIds = runKey.split(",").filter(Boolean);
        if (!chart || !initialFits(chart, runIds, (id) => bucketsFor(id))) return void load(null);
        setSeries(new Map(runIds.map((runId) => [runId, fromWire(chart.series[runId]!)])));
        setLoading(false);
      },
      () => current && void load(null),
    );
    return () => {
      current = false;
    };
  }, [load, runKey, bucketsFor, metricKey]);

  // After the live connection is (re)established, read what was logged while it
  // was not; a chart still loading does so once its series are in.
  const [resyncs, setResyncs] = useState(0);
  const caughtUp = useRef(0);
  useEffect(() => bus.onResync(() => setResyncs((n) => n + 1)), [bus]);
  useEffect(() => {
    if (loading || resyncs === caughtUp.current) return;
    caughtUp.current = resyncs;
    // A zoomed chart stays as framed.
    if (zoomedRef.current || seriesRef.current.size === 0) return;
    void Promise.all(
      [...seriesRef.current.entries()].map(async ([runId, s]) => {
        const from = (s.points.at(-1)?.step ?? -1) + 1;
        const tail = fromWire(await loader.load({ runId, key: metricKey, buckets: CATCH_UP_BUCKETS, from }));
        return [runId, tail] as const;
      }),
    ).then(
      (tails) => {
        if (tails.some(([, t]) => t.downsampled)) return void load(null);
        setSeries((prev) => {
          const next = new Map(prev);
          for (const [runId, t] of tails) next.set(runId, appendLive(prev.get(runId) ?? { downsampled: false, points: [] }, t.points));
          return next;
        });
      },
      (err: unknown) => setError(`could not catch up on ${metricKey}: ${errorText(err)}`),
    );
  }, [resyncs, loading, loader, metricKey, load]);

  // Live points extend the full view; a zoomed view stays as the user framed it.
  useEffect(() => {
    const offs = runKey
      .split(",")
      .filter(Boolean)
      .map((runId) =>
        bus.on(runId, metricKey, (points) => {
          if (zoomedRef.current) return;
          const n = (liveCount.current.get(runId) ?? 0) + points.length;
          liveCount.current.set(runId, n);
          const current = seriesRef.current.get(runId);
          if (current?.downsampled && n > pixels() * REFETCH_AFTER_LIVE) {
            void load(null);
            return;
          }
          setSeries((prev) => {
            const next = new Map(prev);
            next.set(runId, appendLive(prev.get(runId) ?? { downsampled: false, points: [] }, points));
            return next;
          });
        }),
      );
    return () => offs.forEach((off) => off());
  }, [bus, metricKey, runKey, load, pixels]);

  const onZoomDone = useCallback(
    (chart: Chart<"line", XY[]>) => {
      // resetZoom reports completion too; the reset handler reloads the full range itself.
      if (!chart.isZoomedOrPanned()) return;
      const scale = chart.scales.x;
      const origin = runs[0]?.origin ?? 0;
      const range = stepRange([...seriesRef.current.values()], x, origin, scale.min, scale.max);
      if (!range) return;
      setZoomed(range);
      void load(range);
    },
    [runs, x, load],
  );
  const onZoomDoneRef = useRef(onZoomDone);
  onZoomDoneRef.current = onZoomDone;

  // Build or update the chart whenever its inputs change.
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const ChartJs = await loadChartJs();
      if (cancelled || !canvasRef.current || !theme) return;
      const { datasets, meta, flat } = buildDatasets(runs, series, x, smoothing);
      metaRef.current = meta;
      let chart = chartRef.current;
      if (!chart) {
        chart = new ChartJs(canvasRef.current, {
          type: "line",
          data: { datasets },
          options: chartOptions(metaRef, x, log, flat, theme, (c) => onZoomDoneRef.current(c)),
        }) as Chart<"line", XY[]>;
        chartRef.current = chart;
      } else {
        chart.data.datasets = datasets;
        const fresh = chartOptions(metaRef, x, log, flat, theme, (c) => onZoomDoneRef.current(c));
        // Keep the zoom plugin's current window while swapping the axis setup.
        const keepX = zoomedRef.current ? { min: chart.options.scales?.x?.min, max: chart.options.scales?.x?.max } : {};
        chart.options.scales = { ...fresh.scales, x: { ...fresh.scales!.x, ...keepX } } as typeof chart.options.scales;
        chart.update("none");
      }
      if (boxRef.current) {
        boxRef.current.dataset.points = String([...series.values()].reduce((n, s) => n + s.points.length, 0));
        boxRef.current.dataset.lastStep = String(Math.max(-1, ...[...series.values()].map((s) => s.points.at(-1)?.step ?? -1)));
        // How many runs' series are drawn: tests and the bench wait on it.
        boxRef.current.dataset.drawn = String(series.size);
        boxRef.current.dataset.xAxis = x;
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [runs, series, x, smoothing, log, theme]);

  // A new axis or scale type starts from the full range.
  useEffect(() => {
    if (!chartRef.current || !zoomedRef.current) return;
    chartRef.current.resetZoom("none");
    setZoomed(null);
    void load(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [x]);

  useEffect(
    () => () => {
      chartRef.current?.destroy();
      chartRef.current = null;
    },
    [],
  );

  const resetZoom = () => {
    chartRef.current?.resetZoom("none");
    setZoomed(null);
    void load(null);
  };

  const empty = !loading && !error && [...series.values()].every((s) => s.points.length === 0);
  return (
    <figure className={`${styles.chart} ${large ? styles.large : ""}`} data-testid={`chart-${metricKey}`}>
      <figcaption className={styles.chartHead}>
        <button type="button" className={styles.chartTitle} onClick={onTitleClick} title={large ? "Show all charts" : "Show this chart alone"}>
          {metricKey}
        </button>
        {[...series.values()].some((s) => s.downsampled) && <span className={styles.hint} title="Long series are downsampled to the chart's width; the band shows each bucket's min and max. Zoom in for every point.">downsampled</span>}
        {zoomed && (
          <button type="button" className={styles.linkButton} onClick={resetZoom}>
            Reset zoom
          </button>
        )}
      </figcaption>
      <div ref={boxRef} className={styles.canvasBox} data-ready={loading ? "0" : "1"}>
        <canvas ref={canvasRef} role="img" aria-label={`Chart of ${metricKey}`} onDoubleClick={resetZoom} />
        {loading && series.size === 0 && <div className={styles.skeleton} aria-label="Loading chart" />}
        {empty && <p className={styles.overlay}>No points{x !== "step" ? " with wall times" : ""} in this range yet.</p>}
        {error && (
          <p className={styles.error} role="alert">
            {error}{" "}
            <button type="button" className={styles.linkButton} onClick={() => void load(zoomed)}>
              Retry
            </button>
          </p>
        )}
      </div>
    </figure>
  );
}

function buildDatasets(runs: ChartRun[], series: Map<string, LoadedSeries>, x: XAxis, smoothing: number) {
  const datasets: ChartDataset<"line", XY[]>[] = [];
  const meta: Meta[] = [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const run of runs) {
    const s = series.get(run.runId);
    if (!s) continue;
    const lines = plotLines(s, x, run.origin, smoothing);
    if (runs.length > MAX_BANDED_RUNS) lines.band = null;
    for (const r of lines.raw) {
      if (!Number.isFinite(r.y)) continue;
      lo = Math.min(lo, r.y);
      hi = Math.max(hi, r.y);
    }
    const base = { pointRadius: 0, pointHitRadius: 4, borderJoinStyle: "round" as const, spanGaps: false, normalized: true, parsing: false as const };
    if (lines.band) {
      datasets.push({ ...base, data: lines.band.lo, borderWidth: 0, fill: false, borderColor: "transparent" });
      meta.push({ role: "band-lo", label: run.label });
      datasets.push({ ...base, data: lines.band.hi, borderWidth: 0, fill: "-1", backgroundColor: fade(run.color, 0.13), borderColor: "transparent" });
      meta.push({ role: "band-hi", label: run.label });
    }
    const smoothed = lines.smooth !== null;
    const rawColor = smoothed ? fade(run.color, 0.28) : run.color;
    const points = lines.raw.length <= SPARSE_POINTS ? { pointRadius: 2.5, pointBackgroundColor: rawColor, pointBorderWidth: 0 } : {};
    datasets.push({ ...base, ...points, data: lines.raw, borderWidth: smoothed ? 1 : 1.6, borderColor: rawColor, backgroundColor: run.color });
    meta.push({ role: "raw", label: run.label });
    if (lines.smooth) {
      datasets.push({ ...base, data: lines.smooth, borderWidth: 1.8, borderColor: run.color, backgroundColor: run.color });
      meta.push({ role: "smooth", label: run.label });
    }
  }
  // A constant series (lr = 1e-5 throughout) gets a band around its value, not a
  // range made of rounding noise or chart.js's default of ±1.
  const flat = Number.isFinite(lo) && hi - lo <= Math.abs(hi) * 1e-9 ? hi : null;
  return { datasets, meta, flat };
}

function chartOptions(metaRef: { current: Meta[] }, x: XAxis, log: boolean, flat: number | null, theme: ChartTheme, onZoomDone: (c: Chart<"line", XY[]>) => void) {
  const pad = flat === null ? 0 : Math.abs(flat) * 0.1 || 1;
  // Set on every axis rather than as chart.js defaults, so that an existing chart restyles on update.
  const colors = { grid: { color: theme.grid }, border: { color: theme.grid } };
  const spanDays = (c: Chart) => (c.scales.x.max - c.scales.x.min) / 86_400_000 > 1;
  return {
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: "nearest" as const, axis: "x" as const, intersect: false },
    scales: {
      x: {
        type: "linear" as const,
        ...colors,
        ticks: {
          color: theme.text,
          maxTicksLimit: 7,
          callback(this: { chart: Chart }, v: number | string) {
            const n = Number(v);
            if (x === "step") return formatTick(n);
            if (x === "relative") return formatClock(n);
            const d = new Date(n);
            return spanDays(this.chart) ? d.toLocaleDateString() : d.toLocaleTimeString();
          },
        },
        title: { display: x === "relative", text: "time since start", color: theme.text },
      },
      y: {
        type: log ? ("logarithmic" as const) : ("linear" as const),
        ...colors,
        ...(flat !== null ? { min: log && flat > 0 ? flat / 2 : flat - pad, max: log && flat > 0 ? flat * 2 : flat + pad } : {}),
        ticks: { color: theme.text, maxTicksLimit: 6, callback: (v: number | string) => formatTick(Number(v)) },
      },
    },
    plugins: {
      legend: { display: false },
      tooltip: {
        filter: (item: { datasetIndex: number }) => {
          const role = metaRef.current[item.datasetIndex]?.role;
          return role === "raw" || role === "smooth";
        },
        callbacks: {
          title: (items: { raw: unknown }[]) => {
            const p = (items[0]?.raw as XY | undefined)?.p;
            if (!p) return "";
            const parts = [`step ${p.step}`];
            if (p.time !== undefined) parts.push(new Date(p.time).toLocaleString());
            return parts.join(" · ");
          },
          label: (item: { datasetIndex: number; raw: unknown }) => {
            const m = metaRef.current[item.datasetIndex];
            const { p, y } = item.raw as XY;
            if (m.role === "smooth") return `${m.label} (smoothed): ${formatExact(y)}`;
            const range = p.min !== undefined && p.max !== undefined && (p.count ?? 1) > 1 ? `  [min ${formatExact(p.min)}, max ${formatExact(p.max)} over ${p.count} points]` : "";
            return `${m.label}: ${formatExact(p.value)}${range}`;
          },
        },
      },
      zoom: {
        limits: { x: { min: "original" as const, max: "original" as const } },
        pan: { enabled: true, mode: "x" as const, modifierKey: "shift" as const, onPanComplete: ({ chart }: { chart: Chart }) => onZoomDone(chart as Chart<"line", XY[]>) },
        zoom: {
          mode: "x" as const,
          drag: { enabled: true, backgroundColor: "rgba(47,111,222,0.12)" },
          wheel: { enabled: true, modifierKey: "ctrl" as const },
          onZoomComplete: ({ chart }: { chart: Chart }) => onZoomDone(chart as Chart<"line", XY[]>),
        },
      },
    },
  };
}
