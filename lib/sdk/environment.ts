/**
 * What the SDK records about the machine and process a run executes on, in
 * the sections the run page shows (runtime, hardware, command line). Callers
 * such as the trainer add their own sections (GPU, git, packages) on top.
 */
import os from "node:os";

export function describeEnvironment(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    runtime: {
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      os: `${os.type()} ${os.release()}`,
      hostname: os.hostname(),
      pid: process.pid,
      cwd: process.cwd(),
    },
    hardware: { cpu: cpus[0]?.model ?? "unknown", cores: cpus.length, memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10 },
    commandLine: commandLine(),
    startedAt: new Date().toISOString(),
  };
}

export function commandLine(): string {
  return process.argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(" ");
}
