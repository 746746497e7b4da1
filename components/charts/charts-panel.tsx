"use client";
/**
 * Every metric of one or more runs as a grid of charts: training metrics
 * first (train_loss, lr, epoch, then the rest by name), system metrics in a
 * section of their own. Controls for smoothing, x axis, log scale and a key
 * filter live above the grid and write to the URL through `onChange`.
 */
import { useEffect, useMemo, useState, type ReactNode } from "react";
import type { MetricBus } from "@/lib/charts/metric-bus";
import { X_AXES, type ChartState, type XAxis } from "@/lib/charts/view-state";
import { SeriesLoader } from "@/lib/charts/series-loader";
import type { WireSeries } from "@/lib/charts/series-data";
import { MetricChart, type ChartRun } from "./metric-chart";
import styles from "./charts.module.css";

const FIRST = ["train_loss", "lr", "epoch"];
const X_LABELS: Record<XAxis, string> = { step: "Step", relative: "Relative time", wall: "Wall time" };

/** Training keys first in a fixed order, then by name; "system/" keys apart. */
export function groupMetricKeys(keys: Iterable<string>): { training: string[]; system: string[] } {
  const all = [...new Set(keys)];
  const rank = (k: string) => (FIRST.includes(k) ? FIRST.indexOf(k) : FIRST.length);
  const training = all.filter((k) => !k.startsWith("system/")).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const system = all.filter((k) => k.startsWith("system/")).sort();
  return { training, system };
}

export interface ChartsPanelProps {
  runs: ChartRun[];
  /** Metric keys logged so far (grows live). */
  keys: string[];
  state: ChartState;
  onChange: (patch: Partial<ChartState>) => void;
  bus: MetricBus;
  share: string | null;
  /** Series the server read with the page, by metric key (single-run views). */
  initialSeries?: { buckets: Record<string, number>; byKey: Record<string, WireSeries> };
  /** Steps logged per run and key (last step + 1), from the metric summaries. */
  spans?: Record<string, Record<string, number>>;
  /** Shown when no run has logged a metric yet. */
  emptyState: ReactNode;
}

export function ChartsPanel({ runs, keys, state, onChange, bus, share, initialSeries, spans, emptyState }: ChartsPanelProps) {
  const loader = useMemo(() => new SeriesLoader(share), [share]);
  const [filter, setFilter] = useState(state.metric);
  useEffect(() => setFilter(state.metric), [state.metric]);

  const exact = keys.includes(state.metric);
  const visible = useMemo(() => {
    const needle = state.metric.toLowerCase();
    return groupMetricKeys(exact ? [state.metric] : keys.filter((k) => k.toLowerCase().includes(needle)));
  }, [keys, state.metric, exact]);

  const initialFor = (key: string) => {
    const s = initialSeries?.byKey[key];
    return s && runs.length === 1 ? { buckets: { [runs[0].runId]: initialSeries!.buckets[key] }, series: { [runs[0].runId]: s } } : undefined;
  };
  const spansFor = (key: string) => Object.fromEntries(runs.map((r) => [r.runId, spans?.[r.runId]?.[key] ?? 0]));
  const chart = (key: string) => (
    <MetricChart
      key={key}
      metricKey={key}
      runs={runs}
      x={state.x}
      smoothing={state.smoothing}
      log={state.log}
      loader={loader}
      bus={bus}
      initial={initialFor(key)}
      spans={spansFor(key)}
      large={exact}
      onTitleClick={() => onChange({ metric: exact ? "" : key })}
    />
  );

  return (
    <section aria-label="Charts">
      <div className={styles.controls} role="toolbar" aria-label="Chart settings">
        <label>
          Smoothing
          <input
            type="range"
            min={0}
            max={0.99}
            step={0.01}
            value={state.smoothing}
            aria-label="Smoothing"
            onChange={(e) => onChange({ smoothing: Number(e.target.value) })}
          />
          <output style={{ width: "2.5em" }}>{state.smoothing.toFixed(2)}</output>
        </label>
        <label>
          X axis
          <select value={state.x} aria-label="X axis" onChange={(e) => onChange({ x: e.target.value as XAxis })}>
            {X_AXES.map((x) => (
              <option key={x} value={x}>
                {X_LABELS[x]}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={state.log} onChange={(e) => onChange({ log: e.target.checked })} /> Log scale
        </label>
        <label>
          <input
            type="search"
            placeholder="Filter metrics"
            aria-label="Filter metrics"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            onKeyDown={(e) => e.key === "Enter" && onChange({ metric: filter })}
            onBlur={() => filter !== state.metric && onChange({ metric: filter })}
          />
        </label>
        {state.metric && (
          <button type="button" className={styles.linkButton} style={{ marginLeft: 0 }} onClick={() => onChange({ metric: "" })}>
            Show all metrics
          </button>
        )}
        <span className={styles.hint}>Drag to zoom · Shift+drag to pan · Ctrl+wheel to zoom · double-click to reset</span>
      </div>
      {keys.length === 0 ? (
        emptyState
      ) : visible.training.length + visible.system.length === 0 ? (
        <p className={styles.empty}>No metric matches “{state.metric}”.</p>
      ) : (
        <>
          {visible.training.length > 0 && <div className={styles.grid}>{visible.training.map(chart)}</div>}
          {visible.system.length > 0 && (
            <>
              <h3 className={styles.section}>System</h3>
              <div className={styles.grid}>{visible.system.map(chart)}</div>
            </>
          )}
        </>
      )}
    </section>
  );
}
