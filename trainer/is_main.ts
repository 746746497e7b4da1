/**
 * True when the module at `moduleUrl` is the script node was started with.
 * Compares real paths: started through a symlink (a linked checkout, a home
 * folder on another mount), argv[1] and import.meta.url name the same file
 * differently, and a plain comparison would silently skip main().
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export function isMainModule(moduleUrl: string): boolean {
  const started = process.argv[1];
  if (!started) return false;
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  return real(started) === real(fileURLToPath(moduleUrl));
}
