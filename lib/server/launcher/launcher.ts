/** Starts training runs on this machine. One implementation spawns a command (process-launcher.ts). */
export interface Launcher {
  /** Picks up queued launches and watches running ones; returns a function that stops watching (processes keep running). */
  start(): () => Promise<void>;
  /** Looks at the queue now instead of at the next poll. */
  kick(): void;
}

/** What a finished or vanished process leaves behind. */
export interface ProcessOutcome {
  exitCode: number | null;
  signal: string | null;
  /** The process was started by an earlier server and is gone: its exit code is unknown. */
  lost?: boolean;
  spawnError?: string;
}
