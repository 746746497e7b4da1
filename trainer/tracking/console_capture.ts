/**
 * Copies what the process prints to stdout and stderr into a callback, one
 * line at a time, while it still reaches the terminal. A progress bar that
 * redraws with "\r" contributes only its latest state of each line.
 */
type Stream = "stdout" | "stderr";

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

export function captureConsole(onLine: (line: string, stream: Stream) => void): () => void {
  const restore: Array<() => void> = [];
  for (const stream of ["stdout", "stderr"] as const) {
    const target = process[stream];
    const original = target.write.bind(target) as (...args: unknown[]) => boolean;
    let pending = "";
    target.write = ((chunk: unknown, ...rest: unknown[]) => {
      try {
        pending += typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        for (const raw of lines) {
          const line = raw.slice(raw.lastIndexOf("\r") + 1).replace(ANSI, "");
          if (line.trim()) onLine(line, stream);
        }
      } catch {
        // Capturing must never break printing.
      }
      return original(chunk, ...rest);
    }) as typeof target.write;
    restore.push(() => {
      target.write = original as typeof target.write;
      const last = pending.slice(pending.lastIndexOf("\r") + 1).replace(ANSI, "");
      if (last.trim()) onLine(last, stream);
    });
  }
  return () => restore.forEach((r) => r());
}
