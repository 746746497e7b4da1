/** Each launched process writes its console to data/launches/<runId>.log, which outlives a server restart. */
import fs from "node:fs";
import path from "node:path";
import { dataDir } from "@/lib/server/data-dir";

export const TAIL_LINES = 30;

export function outputLogPath(runId: string): string {
  return path.join(dataDir(), "launches", `${runId.replace(/[^\w-]/g, "_")}.log`);
}

/** Opens the log for the child's stdout and stderr (append, so a resumed launch keeps its history). */
export function openOutputLog(runId: string): number {
  const file = outputLogPath(runId);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return fs.openSync(file, "a", 0o600);
}

/** The last lines of a launch's output, for failure reports. */
export function outputTail(runId: string, lines = TAIL_LINES, maxBytes = 16_384): string {
  let fd: number | undefined;
  try {
    fd = fs.openSync(outputLogPath(runId), "r");
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buf = Buffer.alloc(length);
    fs.readSync(fd, buf, 0, length, size - length);
    // Progress bars redraw with \r: keep what the line finally showed.
    const text = buf.toString("utf8").replace(/\r\n/g, "\n").split("\n").map((l) => l.split("\r").pop() ?? "").join("\n");
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
