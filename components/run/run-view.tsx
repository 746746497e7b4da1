"use client";
/**
 * The run page in the browser: header with live status, and the Overview,
 * Charts, Images and Logs tabs. One `/live` subscription feeds every tab;
 * the tab and each view setting live in the URL.
 */
import { useCallback, useMemo, useRef, useState } from "react";
import Link from "next/link";
import type { LiveLogLine } from "@/lib/protocol/schemas";
import type { RunPageData, RunView as RunData } from "@/lib/server/dashboard/run-view-data";
import { lastLogSeq, mergeLogLines } from "@/lib/browser/log-lines";
import { parseRunViewState, runViewQuery, RUN_TABS, type RunTab, type RunViewState } from "@/lib/browser/charts/view-state";
import { runColor } from "@/lib/browser/charts/colors";
import { useLiveRuns } from "@/lib/browser/client/live";
import { apiFetch, errorText } from "@/lib/browser/client/api";
import { useNow, useUrlState } from "@/lib/browser/client/use-url-state";
import { formatDurationFull, formatTimeUtc } from "@/lib/browser/format";
import { StatusBadge } from "@/components/ui/status-badge";
import { TabBar } from "@/components/ui/tab-bar";
import { SharePanel } from "@/components/share/share-panel";
import { CancelButton } from "@/components/launch/cancel-button";
import { ChartsPanel } from "@/components/charts/charts-panel";
import { ImagesPanel } from "@/components/images/image-grid";
import { LogsPanel } from "@/components/logs/logs-panel";
import { ConfigTable } from "./config-table";
import { EnvironmentPanel } from "./environment-panel";
import { NotesTagsEditor } from "./notes-tags-editor";
import { LiveIndicator } from "./live-indicator";
import { OutputPanel } from "./output-panel";
import { SdkSnippet } from "./sdk-snippet";
import { LaunchedRunEmpty } from "./launched-run-empty";
import { ComparePicker } from "./compare-picker";
import styles from "./run.module.css";

const TAB_LABELS: Record<RunTab, string> = { overview: "Overview", charts: "Charts", images: "Images", logs: "Logs" };
/** Live log lines kept in memory for the logs tab before it is opened. */
const LIVE_LOG_CAP = 5000;

/** Every log line after `afterSeq`, page by page. */
async function readLogsAfter(runId: string, share: string | null, afterSeq: number): Promise<LiveLogLine[]> {
  const lines: LiveLogLine[] = [];
  for (let after = afterSeq; lines.length < LIVE_LOG_CAP; ) {
    const page = await apiFetch<{ lines: LiveLogLine[]; nextAfterSeq: number | null }>(`/api/runs/${runId}/logs?after=${after}&limit=500`, { share });
    lines.push(...page.lines);
    if (page.lines.length < 500 || page.nextAfterSeq === null) break;
    after = page.nextAfterSeq;
  }
  return lines;
}

type RunDetails = Pick<RunData, "config" | "environment" | "commandLine">;

export interface RunViewProps {
  data: RunPageData;
  /** Where the first charts' series are preloaded from (see lib/server/dashboard/initial-series.ts). */
  initialSeriesUrl: string | null;
  initialState: RunViewState;
  share: string | null;
  editable: boolean;
}

export function RunView({ data, initialSeriesUrl, initialState, share, editable }: RunViewProps) {
  const { run } = data;
  const toQuery = useCallback((s: RunViewState) => runViewQuery(s, share), [share]);
  const [state, setState] = useUrlState(initialState, toQuery, parseRunViewState);
  const [liveLogs, setLiveLogs] = useState<LiveLogLine[]>([]);
  const liveLogsRef = useRef(liveLogs);
  liveLogsRef.current = liveLogs;
  const addLogLines = useCallback((lines: LiveLogLine[]) => setLiveLogs((prev) => mergeLogLines(prev, lines).slice(-LIVE_LOG_CAP)), []);
  const [startedAt, setStartedAt] = useState(run.startedAt);
  // What the trainer reports when it starts (config additions, environment, command line) arrives after a launched run's page opens.
  const [details, setDetails] = useState<RunDetails>({ config: run.config, environment: run.environment, commandLine: run.commandLine });
  const live = useLiveRuns([data], share, {
    // Besides charts and images (the hook's), whatever else was logged while not subscribed is read now.
    subscribed: () => {
      refreshDetails();
      // Lines logged between the page's render (or the last event) and this subscription.
      readLogsAfter(run.id, share, lastLogSeq(data.logs, liveLogsRef.current)).then(addLogLines, (err: unknown) =>
        setCatchUpError(`could not catch up on the logs: ${errorText(err)}`),
      );
    },
    logs: (e) => addLogLines(e.lines),
    status: (e) => {
      if (e.status === "running") {
        setStartedAt((s) => s ?? new Date().toISOString());
        refreshDetails();
      }
    },
  });
  const { setCatchUpError } = live;
  const refreshDetails = useCallback(() => {
    apiFetch<RunDetails>(`/api/runs/${run.id}`, { share }).then(
      ({ config, environment, commandLine }) => setDetails({ config, environment, commandLine }),
      (err: unknown) => setCatchUpError(`could not refresh the run's details: ${errorText(err)}`),
    );
  }, [run.id, share, setCatchUpError]);
  const status = live.statuses[run.id];
  const images = live.images[run.id] ?? [];

  const running = status.status === "running" || status.status === "queued";
  const now = useNow(running);
  const start = startedAt ?? run.createdAt;
  const duration = (status.endedAt ? Date.parse(status.endedAt) : running ? now : NaN) - Date.parse(start);
  const spans = useMemo(() => ({ [run.id]: Object.fromEntries(data.metrics.map((m) => [m.key, m.lastStep + 1])) }), [run.id, data.metrics]);
  const nothingLogged = (what: "metrics" | "images") =>
    run.launched ? <LaunchedRunEmpty status={status.status} what={what} /> : <SdkSnippet runId={run.id} what={what} />;
  const chartRuns = useMemo(() => [{ runId: run.id, label: run.name, color: runColor(0), origin: Date.parse(start) }], [run.id, run.name, start]);

  return (
    <div className={styles.page}>
      <header className={styles.header}>
        <div className={styles.titleRow}>
          <h1 className={styles.title} data-testid="run-name">
            {run.name}
          </h1>
          <span data-testid="run-status">
            <StatusBadge status={status.status} />
          </span>
          <LiveIndicator state={live.state} error={live.error} />
          <div className={styles.actions}>
            {!share && (
              <ComparePicker run={run} />
            )}
            {editable && <CancelButton runId={run.id} status={status.status} />}
          </div>
        </div>
        <div className={styles.subtitle}>
          <span>{run.project}</span>
          <span>created {formatTimeUtc(run.createdAt)}</span>
          <span>duration {formatDurationFull(duration)}</span>
          {run.ranOn && <span data-testid="run-place">on {run.ranOn}</span>}
          {run.outputDir && <span className="mono" title="Checkpoints and the final model, on that machine's disk">{run.outputDir}</span>}
          {share && <span className={styles.readonly}>Read-only shared view</span>}
        </div>
        {live.catchUpError && (
          <p className={styles.runError} role="alert">
            {live.catchUpError}
          </p>
        )}
        {status.error && (
          <p className={styles.runError} role="alert">
            {status.status}: {status.error}
          </p>
        )}
        <TabBar
          tabs={RUN_TABS}
          labels={TAB_LABELS}
          selected={state.tab}
          onSelect={(tab) => setState({ tab }, { push: true })}
          label="Run views"
          counts={{ images: images.length }}
        />
      </header>

      {state.tab === "overview" && (
        <div className={styles.overview}>
          <section className="panel">
            <header className="panel-header">
              <h2 className="panel-title">Run</h2>
            </header>
            <div className="panel-body">
              <table className={styles.kv}>
                <tbody>
                  <tr>
                    <th scope="row">Status</th>
                    <td>
                      <StatusBadge status={status.status} />
                    </td>
                  </tr>
                  <tr>
                    <th scope="row">Created</th>
                    <td>{formatTimeUtc(run.createdAt)}</td>
                  </tr>
                  <tr>
                    <th scope="row">Started</th>
                    <td>{formatTimeUtc(startedAt)}</td>
                  </tr>
                  <tr>
                    <th scope="row">Ended</th>
                    <td>{formatTimeUtc(status.endedAt)}</td>
                  </tr>
                  <tr>
                    <th scope="row">Duration</th>
                    <td data-testid="run-duration">{formatDurationFull(duration)}</td>
                  </tr>
                  <tr>
                    <th scope="row">Run id</th>
                    <td>
                      <code>{run.id}</code>
                    </td>
                  </tr>
                </tbody>
              </table>
              <h3 className={styles.subhead}>Notes and tags</h3>
              <NotesTagsEditor runId={run.id} notes={run.notes} tags={run.tags} editable={editable} />
            </div>
          </section>
          <section className="panel">
            <header className="panel-header">
              <h2 className="panel-title">Config</h2>
            </header>
            <div className="panel-body">
              <ConfigTable config={details.config} />
            </div>
          </section>
          <section className={`panel ${styles.wide}`}>
            <header className="panel-header">
              <h2 className="panel-title">Environment</h2>
            </header>
            <div className="panel-body">
              <EnvironmentPanel environment={details.environment} commandLine={details.commandLine} />
            </div>
          </section>
          <OutputPanel className={styles.wide} runId={run.id} status={status.status} images={images} share={share} editable={editable} />
          {editable && !share && (
            <div className={styles.wide}>
              <SharePanel runId={run.id} />
            </div>
          )}
        </div>
      )}

      {state.tab === "charts" && (
        <ChartsPanel
          runs={chartRuns}
          keys={live.keys}
          initialSeriesUrl={initialSeriesUrl}
          spans={spans}
          state={state}
          onChange={(patch) => setState(patch)}
          bus={live.bus}
          share={share}
          emptyState={nothingLogged("metrics")}
        />
      )}
      {/* Metrics arriving while another tab is open still reach the charts when it opens: they refetch on mount. */}

      {state.tab === "images" && (
        <ImagesPanel
          images={images}
          share={share}
          epoch={state.epoch}
          imageKey={state.images}
          promptFilter={state.prompt}
          onChange={(patch) => setState(patch)}
          emptyState={nothingLogged("images")}
        />
      )}

      {state.tab === "logs" && <LogsPanel runId={run.id} share={share} initial={data.logs} live={liveLogs} q={state.q} onSearch={(q) => setState({ q }, { push: true })} />}
    </div>
  );
}
