"use client";
/**
 * Every metric of one or more runs as a grid of charts: training metrics
 * first (train_loss, lr, epoch, then the rest by name), system metrics in a
 * section of their own. Controls for smoothing, x axis, log scale and a key
 * filter live above the grid and write to the URL through `onChange`.
 */
import { useEffect, useMemo, useState, type ReactNode } from "react";
import type { MetricBus } from "@/lib/browser/charts/metric-bus";
import { X_AXES, type ChartState, type XAxis } from "@/lib/browser/charts/view-state";
import { SeriesLoader } from "@/lib/browser/charts/series-loader";
import type { InitialSeriesByKey } from "@/lib/browser/charts/series-data";
import { chartXAxis, groupMetricKeys } from "@/lib/browser/charts/metric-keys";
import { apiFetch } from "@/lib/browser/client/api";
import { MetricChart, type ChartRun } from "./metric-chart";
import styles from "./charts.module.css";

const X_LABELS: Record<XAxis, string> = { step: "Step", relative: "Relative time", wall: "Wall time" };

export interface ChartsPanelProps {
  runs: ChartRun[];
  /** Metric keys logged so far (grows live). */
  keys: string[];
  state: ChartState;
  onChange: (patch: Partial<ChartState>) => void;
  bus: MetricBus;
  share: string | null;
  /** Where the page preloads its first charts' series from. */
  initialSeriesUrl?: string | null;
  /** Steps logged per run and key (last step + 1), from the metric summaries. */
  spans?: Record<string, Record<string, number>>;
  /** Shown when no run has logged a metric yet. */
  emptyState: ReactNode;
}

export function ChartsPanel({ runs, keys, state, onChange, bus, share, initialSeriesUrl, spans, emptyState }: ChartsPanelProps) {
  const loader = useMemo(() => new SeriesLoader(share), [share]);
  // One read for every chart; the URL already carries the share token.
  const initialSeries = useMemo(() => {
    if (!initialSeriesUrl) return undefined;
    const read = apiFetch<InitialSeriesByKey>(initialSeriesUrl);
    // A failed read makes each chart load its own series; with no chart, nothing waits on it.
    read.catch(() => undefined);
    return read;
  }, [initialSeriesUrl]);
  const [filter, setFilter] = useState(state.metric);
  useEffect(() => setFilter(state.metric), [state.metric]);

  const exact = keys.includes(state.metric);
  const visible = useMemo(() => {
    const needle = state.metric.toLowerCase();
    return groupMetricKeys(exact ? [state.metric] : keys.filter((k) => k.toLowerCase().includes(needle)));
  }, [keys, state.metric, exact]);

  const spansFor = (key: string) => Object.fromEntries(runs.map((r) => [r.runId, spans?.[r.runId]?.[key] ?? 0]));
  const chart = (key: string) => (
    <MetricChart
      key={key}
      metricKey={key}
      runs={runs}
      x={chartXAxis(key, state.x)}
      smoothing={state.smoothing}
      log={state.log}
      loader={loader}
      bus={bus}
      initial={initialSeries}
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
