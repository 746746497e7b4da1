import type { RunStatus } from "@/lib/protocol/wire";
import { Badge, type BadgeTone } from "./badge";

const TONES: Record<RunStatus, BadgeTone> = {
  queued: "gray",
  running: "blue",
  finished: "green",
  failed: "red",
  crashed: "red",
  cancelled: "amber",
};

/** A run's status as a coloured pill; running ones pulse. */
export function StatusBadge({ status }: { status: RunStatus }) {
  return (
    <Badge tone={TONES[status] ?? "neutral"}>
      <span className={`status-dot${status === "running" ? " status-dot-live" : ""}`} aria-hidden />
      {status}
    </Badge>
  );
}
