import * as fs from "node:fs";

/** Linux reports thread times in USER_HZ clock ticks, 100 per second on every architecture's ABI. */
const TICK_MS = 10;

/**
 * CPU time (ms) of this process's main thread so far. process.cpuUsage() counts every thread,
 * V8's GC and compiler helpers included, which run beside the main thread on another core.
 * Tick resolution (10 ms): difference it over many steps. Falls back to the whole process
 * where /proc is missing.
 */
export function mainThreadCpuMs(): number {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    // Fields after the parenthesised command name start at field 3 (state); utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  }
}
