"use client";
/**
 * Two or more runs compared: overlaid charts, a config table and the image
 * grids side by side. Each run keeps one colour everywhere (legend, chart
 * lines, table headers, image labels); the view's state is in the URL.
 */
import { useCallback, useMemo } from "react";
import Link from "next/link";
import type { CompareRun } from "@/lib/server/dashboard/run-view-data";
import { runColor } from "@/lib/browser/charts/colors";
import { COMPARE_TABS, compareViewQuery, parseCompareViewState, type CompareTab, type CompareViewState } from "@/lib/browser/charts/view-state";
import { useLiveRuns } from "@/lib/browser/client/live";
import { useUrlState } from "@/lib/browser/client/use-url-state";
import { StatusBadge } from "@/components/ui/status-badge";
import { TabBar } from "@/components/ui/tab-bar";
import { EmptyState } from "@/components/ui/empty-state";
import { ChartsPanel } from "@/components/charts/charts-panel";
import { LiveIndicator } from "@/components/run/live-indicator";
import { CompareConfig } from "./compare-config";
import { CompareImages } from "./compare-images";
import runStyles from "@/components/run/run.module.css";
import styles from "./compare.module.css";

const TAB_LABELS: Record<CompareTab, string> = { charts: "Charts", config: "Config", images: "Images" };

export interface CompareViewProps {
  runs: CompareRun[];
  missing: string[];
  /** Where the first charts' series are preloaded from (see lib/server/dashboard/initial-series.ts). */
  initialSeriesUrl: string | null;
  initialState: CompareViewState;
}

export function CompareView({ runs, missing, initialSeriesUrl, initialState }: CompareViewProps) {
  const [state, setState] = useUrlState(initialState, compareViewQuery, parseCompareViewState);
  const live = useLiveRuns(runs, null);
  const { images } = live;

  const colored = useMemo(() => runs.map((r, i) => ({ ...r, color: runColor(i) })), [runs]);
  const chartRuns = useMemo(
    () => colored.map((r) => ({ runId: r.run.id, label: r.run.name, color: r.color, origin: Date.parse(r.run.startedAt ?? r.run.createdAt) })),
    [colored],
  );
  const spans = useMemo(() => Object.fromEntries(runs.map((r) => [r.run.id, Object.fromEntries(r.metrics.map((m) => [m.key, m.lastStep + 1]))])), [runs]);
  const configColumns = useMemo(() => colored.map((r) => ({ id: r.run.id, label: r.run.name, color: r.color, config: r.run.config })), [colored]);
  const imageColumns = useMemo(() => colored.map((r) => ({ id: r.run.id, label: r.run.name, color: r.color, images: images[r.run.id] ?? [] })), [colored, images]);
  const onChartChange = useCallback((patch: Partial<CompareViewState>) => setState(patch), [setState]);

  return (
    <div className={runStyles.page}>
      <header className={runStyles.header}>
        <div className={runStyles.titleRow}>
          <h1 className={runStyles.title}>Compare {runs.length} runs</h1>
          <LiveIndicator state={live.state} error={live.error} />
        </div>
        <div className={styles.legend} data-testid="compare-legend">
          {colored.map((r) => (
            <span key={r.run.id} className={styles.legendItem}>
              <span className={styles.dot} style={{ background: r.color }} aria-hidden />
              <Link href={`/runs/${r.run.id}`} prefetch={false}>{r.run.name}</Link>
              <StatusBadge status={live.statuses[r.run.id]?.status ?? r.run.status} />
            </span>
          ))}
        </div>
        {live.catchUpError && (
          <p className={runStyles.runError} role="alert">
            {live.catchUpError}
          </p>
        )}
        {missing.length > 0 && (
          <p className={styles.missing} role="alert">
            Not found: {missing.join(", ")}. They may have been deleted; remove them from the link.
          </p>
        )}
        <TabBar tabs={COMPARE_TABS} labels={TAB_LABELS} selected={state.tab} onSelect={(tab) => setState({ tab }, { push: true })} label="Compare views" />
      </header>
      {state.tab === "charts" && (
        <ChartsPanel
          runs={chartRuns}
          keys={live.keys}
          initialSeriesUrl={initialSeriesUrl}
          spans={spans}
          state={state}
          onChange={onChartChange}
          bus={live.bus}
          share={null}
          emptyState={<EmptyState title="No metrics logged yet">None of these runs has logged a metric. Charts appear here, overlaid, as soon as one does.</EmptyState>}
        />
      )}
      {state.tab === "config" && <CompareConfig columns={configColumns} diffOnly={state.diff} onDiffOnly={(diff) => setState({ diff })} />}
      {state.tab === "images" && (
        <CompareImages
          columns={imageColumns}
          epoch={state.epoch}
          imageKey={state.images}
          promptFilter={state.prompt}
          onChange={(patch) => setState(patch)}
          emptyState={<EmptyState title="No images logged yet">None of these runs has logged validation images. They appear here side by side, prompt by prompt.</EmptyState>}
        />
      )}
    </div>
  );
}
