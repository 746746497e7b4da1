"use client";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { ErrorBanner } from "@/components/ui/error-banner";
import { apiFetch } from "@/lib/browser/client/api";
import type { RunStatus } from "@/lib/protocol/wire";
import type { LaunchInfo } from "@/lib/server/launcher/launch-run";

/**
 * Cancel for a queued or running run started from the form: a queued one is
 * cancelled at once, a running one gets SIGTERM (the trainer saves a
 * checkpoint and exits). Renders nothing for runs not launched here (an SDK
 * script's run has no process this server could stop) or once the run has
 * ended; hide it for share-link viewers.
 */
export function CancelButton({ runId, status }: { runId: string; status: RunStatus }) {
  const [state, setState] = useState<"idle" | "busy" | "stopping">("idle");
  const [error, setError] = useState<unknown>(null);
  // undefined until the server says; null when the run was not launched here.
  const [launch, setLaunch] = useState<LaunchInfo | null | undefined>(undefined);
  const active = status === "queued" || status === "running";
  useEffect(() => {
    if (!active) return;
    let stop = false;
    const poll = () =>
      apiFetch<LaunchInfo | null>(`/api/runs/${encodeURIComponent(runId)}/launch`)
        .then((l) => !stop && setLaunch(l))
        .catch(() => {});
    void poll();
    // The queue moves without a status change of this run: look again now and then.
    const t = setInterval(poll, 5000);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, [runId, active]);
  if (!active || !launch) return null;

  async function cancel() {
    if (!window.confirm(status === "queued" ? "Remove this run from the queue?" : "Stop this run? The trainer saves a checkpoint and exits.")) return;
    setState("busy");
    setError(null);
    try {
      const res = await apiFetch<{ state: "cancelled" | "stopping" }>(`/api/runs/${encodeURIComponent(runId)}/cancel`, { method: "POST" });
      setState(res.state === "stopping" ? "stopping" : "idle");
    } catch (err) {
      setError(err);
      setState("idle");
    }
  }

  return (
    <span className="row">
      {launch.state === "queued" ? (
        <span className="muted small" data-testid="queue-position">
          {launch.position === 1 ? "next" : `#${launch.position}`} in the {launch.slot} queue
        </span>
      ) : null}
      <Button variant="danger" size="sm" busy={state === "busy"} disabled={state === "stopping"} onClick={() => void cancel()}>
        {state === "stopping" ? "Stopping…" : "Cancel run"}
      </Button>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
    </span>
  );
}
