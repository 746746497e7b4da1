/**
 * System metrics sampled every interval while training: CPU %, RSS and, where
 * a GPU is present, its utilisation, memory, temperature and power. Keys start
 * with "system/" so the dashboard groups them apart.
 */
import os from "node:os";
import { readGpus } from "./nvidia_smi";

export function sampleSystemMetrics(
  report: (metrics: Record<string, number>) => void,
  intervalMs = 10_000,
): () => void {
  // The first sample, taken at once, covers the process's life so far.
  let lastCpu: NodeJS.CpuUsage = { user: 0, system: 0 };
  let lastTime = process.hrtime.bigint() - BigInt(Math.round(process.uptime() * 1e9));
  const cores = os.cpus().length;
  const sample = async () => {
    const now = process.hrtime.bigint();
    const cpu = process.cpuUsage(lastCpu);
    const elapsedUs = Number(now - lastTime) / 1000;
    lastCpu = process.cpuUsage();
    lastTime = now;
    const metrics: Record<string, number> = {
      "system/cpu_percent": ((cpu.user + cpu.system) / elapsedUs / cores) * 100,
      "system/rss_mib": process.memoryUsage().rss / 2 ** 20,
    };
    for (const g of await readGpus()) {
      metrics[`system/gpu${g.index}/utilization_percent`] = g.utilizationPercent;
      metrics[`system/gpu${g.index}/memory_used_mib`] = g.memoryUsedMiB;
      metrics[`system/gpu${g.index}/temperature_c`] = g.temperatureC;
      metrics[`system/gpu${g.index}/power_w`] = g.powerW;
    }
    report(metrics);
  };
  void sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
