/** What the SDK records about the machine and process a run executes on (shown on the run's page). */
import os from "node:os";

export function describeEnvironment(): Record<string, unknown> {
  return {
    hostname: os.hostname(),
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? null,
    memoryBytes: os.totalmem(),
    node: process.version,
    pid: process.pid,
    cwd: process.cwd(),
    argv: process.argv,
    startedAt: new Date().toISOString(),
  };
}

export function commandLine(): string {
  return process.argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(" ");
}
