/**
 * The server starts one launcher (lib/server/start-server.ts); route handlers,
 * which live in Next's bundles, reach it through globalThis to kick its queue.
 */
import type { Launcher } from "./launcher";
import { ProcessLauncher } from "./process-launcher";
import { readEnv } from "@/lib/config/env";

const holder = globalThis as unknown as { __inkstoneLauncher?: Launcher };

export function startLauncher(opts: { url?: string; log?: (line: string) => void } = {}): () => Promise<void> {
  const url = opts.url ?? readEnv("INKSTONE_URL") ?? `http://127.0.0.1:${readEnv("PORT")}`;
  const launcher = new ProcessLauncher({ url, log: opts.log });
  holder.__inkstoneLauncher = launcher;
  const stop = launcher.start();
  return async () => {
    if (holder.__inkstoneLauncher === launcher) holder.__inkstoneLauncher = undefined;
    await stop();
  };
}

/** Looks at the queue now (after an enqueue or a cancel); the poll would get there within a second anyway. */
export function kickLauncher(): void {
  holder.__inkstoneLauncher?.kick();
}
