"use client";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ErrorBanner } from "@/components/ui/error-banner";
import { fetchJson } from "@/components/ui/fetch-json";
import type { RunStatus } from "@/lib/protocol";

/**
 * Cancel for a queued or running run started from the form: a queued one is
 * cancelled at once, a running one gets SIGTERM (the trainer saves a
 * checkpoint and exits). Renders nothing once the run has ended; hide it for
 * share-link viewers.
 */
export function CancelButton({ runId, status }: { runId: string; status: RunStatus }) {
  const [state, setState] = useState<"idle" | "busy" | "stopping">("idle");
  const [error, setError] = useState<unknown>(null);
  if (status !== "queued" && status !== "running") return null;

  async function cancel() {
    if (!window.confirm(status === "queued" ? "Remove this run from the queue?" : "Stop this run? The trainer saves a checkpoint and exits.")) return;
    setState("busy");
    setError(null);
    try {
      const res = await fetchJson<{ state: "cancelled" | "stopping" }>(`/api/runs/${encodeURIComponent(runId)}/cancel`, { method: "POST" });
      setState(res.state === "stopping" ? "stopping" : "idle");
    } catch (err) {
      setError(err);
      setState("idle");
    }
  }

  return (
    <span className="row">
      <Button variant="danger" size="sm" busy={state === "busy"} disabled={state === "stopping"} onClick={() => void cancel()}>
        {state === "stopping" ? "Stopping…" : "Cancel run"}
      </Button>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
    </span>
  );
}
