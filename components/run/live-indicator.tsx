import type { LiveState } from "@/lib/browser/client/live";
import styles from "./run.module.css";

/** Whether a view's live updates flow (data-live for tests), with the reason when they do not. */
export function LiveIndicator({ state, error }: { state: LiveState; error: string | null }) {
  return (
    <span className={styles.live} title={error ?? undefined} data-live={state}>
      {state === "live" ? "● live" : state === "connecting" ? "connecting…" : state === "refused" ? "live updates refused" : "offline — reconnecting"}
    </span>
  );
}
