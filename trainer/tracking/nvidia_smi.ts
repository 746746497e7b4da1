/** GPU facts from nvidia-smi, where it is installed; an empty list elsewhere. */
import { execFile } from "node:child_process";

export interface GpuReading {
  index: number;
  name: string;
  driver: string;
  memoryTotalMiB: number;
  memoryUsedMiB: number;
  utilizationPercent: number;
  temperatureC: number;
  powerW: number;
}

const FIELDS = "index,name,driver_version,memory.total,memory.used,utilization.gpu,temperature.gpu,power.draw";

export function readGpus(timeoutMs = 5000): Promise<GpuReading[]> {
  return new Promise((resolve) => {
    execFile("nvidia-smi", [`--query-gpu=${FIELDS}`, "--format=csv,noheader,nounits"], { timeout: timeoutMs }, (err, stdout) => {
      if (err) return resolve([]);
      resolve(
        stdout
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((line) => {
            const [index, name, driver, total, used, util, temp, power] = line.split(",").map((s) => s.trim());
            const num = (s: string) => (Number.isFinite(Number(s)) ? Number(s) : NaN);
            return {
              index: num(index),
              name,
              driver,
              memoryTotalMiB: num(total),
              memoryUsedMiB: num(used),
              utilizationPercent: num(util),
              temperatureC: num(temp),
              powerW: num(power),
            };
          }),
      );
    });
  });
}
