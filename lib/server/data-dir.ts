/**
 * The server's data folder (`INKSTONE_DATA_DIR`, default ./data): the embedded
 * PostgreSQL, the session secret, launch logs, and every folder the run form
 * may write to or read from.
 */
import path from "node:path";
import { readEnv } from "@/lib/config/env";

export function dataDir(): string {
  return path.resolve(readEnv("INKSTONE_DATA_DIR"));
}

/** Whether `p` (resolved against the working folder) lies inside the data folder. */
export function insideDataDir(p: string): boolean {
  const rel = path.relative(dataDir(), path.resolve(p));
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}
