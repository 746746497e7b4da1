/**
 * What the Charts and Images tabs of a run started from the form (or a worker)
 * show before it has logged anything: where the run stands. The trainer logs
 * for it, so the SDK calls of SdkSnippet would only mislead.
 */
import type { RunStatus } from "@/lib/protocol/wire";
import { EmptyState } from "@/components/ui/empty-state";
import { Spinner } from "@/components/ui/spinner";

const WHAT = { metrics: "Charts", images: "Validation images" } as const;
const WHEN = { metrics: "after its first logging step", images: "after each epoch's validation" } as const;

export function LaunchedRunEmpty({ status, what }: { status: RunStatus; what: "metrics" | "images" }) {
  const body =
    status === "queued" ? (
      <Spinner label={`Queued: the trainer has not started yet. ${WHAT[what]} appear here once the trainer is running, ${WHEN[what]}.`} />
    ) : status === "running" ? (
      <Spinner label={`Running: ${WHAT[what].toLowerCase()} appear here, live, ${WHEN[what]}.`} />
    ) : (
      `This run ended (${status}) without logging any ${what}. Its logs say what happened.`
    );
  return (
    <div data-testid={`waiting-${what}`}>
      <EmptyState title={status === "queued" ? "Waiting to start" : status === "running" ? `No ${what} yet` : `No ${what}`}>{body}</EmptyState>
    </div>
  );
}
