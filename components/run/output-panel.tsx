"use client";
/**
 * What the run left on disk (output folder, checkpoints, final model), the
 * command line that samples from it, and a form that samples on the server.
 * Samples arrive as run images under key "samples" through the page's live
 * subscription; the form only follows the job's state.
 */
import { useCallback, useEffect, useState, type FormEvent } from "react";
import type { LiveImage, RunStatus } from "@/lib/protocol/wire";
import type { RunOutput } from "@/lib/server/runs/output";
import type { SampleJob } from "@/lib/server/runs/samples";
import { apiFetch } from "@/lib/browser/client/api";
import { formatTimeUtc } from "@/lib/browser/format";
import { Button } from "@/components/ui/button";
import { ErrorBanner } from "@/components/ui/error-banner";
import { Panel } from "@/components/ui/panel";
import { SampleGallery } from "@/components/images/sample-gallery";
import { SAMPLES_KEY } from "@/lib/protocol/wire";
import styles from "./output.module.css";

const POLL_MS = 1000;
const RUNNING_REFRESH_MS = 15_000;

export interface OutputPanelProps {
  runId: string;
  /** The run's live status: the listing is read again when it changes (the final model appears at the end). */
  status: RunStatus;
  images: LiveImage[];
  share: string | null;
  editable: boolean;
  className?: string;
}

export function OutputPanel({ runId, status, images, share, editable, className }: OutputPanelProps) {
  const [output, setOutput] = useState<RunOutput | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => {
    apiFetch<RunOutput>(`/api/runs/${runId}/output`, { share }).then(setOutput, setError);
  }, [runId, share]);
  useEffect(load, [load, status]);
  // Checkpoints appear during training: look again now and then while it runs.
  useEffect(() => {
    if (status !== "running") return;
    const timer = setInterval(load, RUNNING_REFRESH_MS);
    return () => clearInterval(timer);
  }, [load, status]);

  const samples = images.filter((i) => i.key === SAMPLES_KEY);
  // Runs logged through the SDK alone have no output folder: no panel for them.
  if (output && !output.path && samples.length === 0) return null;
  return (
    <Panel title="Output" className={className} actions={<Button size="sm" onClick={load}>Refresh</Button>}>
      <div className="stack" data-testid="run-output">
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
        {output && <OutputListing output={output} status={status} />}
        {output?.finalModel && <SampleForm runId={runId} share={share} editable={editable} />}
        {samples.length > 0 && <SampleGallery samples={samples} share={share} />}
      </div>
    </Panel>
  );
}

/** Why there is no final model, by the run's state: a cancelled run's model is never written. */
function missingModelText(status: RunStatus): string {
  if (status === "running" || status === "queued") return "not saved yet — written when training ends";
  if (status === "finished") return "not in the folder (no model_index.json)";
  return `not saved — the run ${status === "cancelled" ? "was cancelled" : status} before training ended`;
}

function OutputListing({ output, status }: { output: RunOutput; status: RunStatus }) {
  if (!output.path) return <p className="muted">This run's config names no output_dir.</p>;
  return (
    <>
      <table className={styles.kv}>
        <tbody>
          <tr>
            <th scope="row">Folder</th>
            <td>
              <code data-testid="output-dir">{output.path}</code>
              {!output.exists && <span className="muted"> — not on this server (yet)</span>}
            </td>
          </tr>
          <tr>
            <th scope="row">Final model</th>
            <td data-testid="final-model">
              {output.finalModel ? (
                "saved (model_index.json)"
              ) : (
                <span className="muted">{missingModelText(status)}</span>
              )}
            </td>
          </tr>
        </tbody>
      </table>
      {output.checkpoints.length > 0 ? (
        <table className="table" data-testid="checkpoints">
          <thead>
            <tr>
              <th>Checkpoint</th>
              <th className="num">Step</th>
              <th className="num">Size</th>
              <th>Saved</th>
            </tr>
          </thead>
          <tbody>
            {output.checkpoints.map((c) => (
              <tr key={c.name}>
                <td className="mono">{c.name}</td>
                <td className="num">{c.step}</td>
                <td className="num">{formatBytes(c.bytes)}</td>
                <td className="nowrap">{formatTimeUtc(c.modifiedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        output.exists && <p className="muted small">No checkpoints (saved every checkpointing_steps optimizer steps).</p>
      )}
      {output.finalModel && output.sampleCommand && <CommandLine command={output.sampleCommand} />}
    </>
  );
}

function CommandLine({ command }: { command: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(command);
      setCopied(true);
    } catch {
      // Clipboard refused (plain http, permissions): the command is on screen to copy by hand.
    }
  }
  return (
    <div className="stack-sm">
      <span className="muted small">Sample from the final model on this machine:</span>
      <div className={styles.command}>
        <pre className="code-block" data-testid="sample-command">{command}</pre>
        <Button size="sm" onClick={() => void copy()}>
          {copied ? "Copied" : "Copy"}
        </Button>
      </div>
    </div>
  );
}

function SampleForm({ runId, share, editable }: { runId: string; share: string | null; editable: boolean }) {
  const [prompt, setPrompt] = useState("");
  const [steps, setSteps] = useState("20");
  const [seed, setSeed] = useState("42");
  const [job, setJob] = useState<SampleJob | null>(null);
  const [error, setError] = useState<unknown>(null);
  const running = job?.state === "running";

  // Follows a job started here or in another tab until it ends.
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = () =>
      apiFetch<SampleJob | null>(`/api/runs/${runId}/samples`, { share }).then(
        (j) => {
          if (stop) return;
          setJob(j);
          if (j?.state === "running") timer = setTimeout(poll, POLL_MS);
        },
        (err: unknown) => !stop && setError(err),
      );
    if (job === null || running) void poll();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- restarts only when a job starts
  }, [runId, share, running]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const started = await apiFetch<SampleJob>(`/api/runs/${runId}/samples`, {
        method: "POST",
        share,
        json: { prompt, steps: Number(steps), ...(seed.trim() ? { seed: Number(seed) } : {}) },
      });
      setJob(started);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <form className="stack-sm" onSubmit={(e) => void submit(e)} data-testid="sample-form">
      <h3 className={styles.subhead}>Sample from the final model</h3>
      {!editable && <span className="muted small">Read-only shared view: sampling needs a signed-in account.</span>}
      <div className={styles.formRow}>
        <label className={`field ${styles.prompt}`}>
          <span className="small">Prompt</span>
          <input type="text" value={prompt} onChange={(e) => setPrompt(e.target.value)} placeholder="Lebron James with a hat" required disabled={!editable} />
        </label>
        <label className="field">
          <span className="small">Steps</span>
          <input type="number" min={1} max={1000} value={steps} onChange={(e) => setSteps(e.target.value)} disabled={!editable} className={styles.number} />
        </label>
        <label className="field">
          <span className="small">Seed</span>
          <input type="number" min={0} value={seed} onChange={(e) => setSeed(e.target.value)} disabled={!editable} className={styles.number} />
        </label>
        <Button type="submit" variant="primary" busy={running} disabled={!editable || !prompt.trim()}>
          {running ? "Generating…" : "Generate"}
        </Button>
      </div>
      {running && job && <span className="muted small">Generating “{job.prompt}” since {formatTimeUtc(job.startedAt)}; the image appears below when it is done.</span>}
      {job?.state === "failed" && <ErrorBanner error={`Sampling “${job.prompt}” failed: ${job.error ?? "unknown error"}`} />}
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
    </form>
  );
}

function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i ? n.toFixed(1) : n} ${units[i]}`;
}
