/**
 * Browser tests drive Debian's Chromium through playwright-core (the package's
 * own browser download does not work offline). Tests skip with a plain message
 * when Chromium is missing.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { readEnv } from "@/lib/config/env";

export const CHROMIUM_PATH = readEnv("INKSTONE_CHROMIUM");

export function chromiumMissing(): string | undefined {
  return fs.existsSync(CHROMIUM_PATH) ? undefined : `chromium not found at ${CHROMIUM_PATH} (apt-get install chromium)`;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/**
 * Where a test saves a screenshot: the README's docs/ folder with
 * INKSTONE_UPDATE_DOCS=1 (`npm run screenshots`), otherwise a temporary folder,
 * so that a test run leaves the checkout as it found it.
 */
export function screenshotPath(name: string): string {
  const dir = readEnv("INKSTONE_UPDATE_DOCS") ? "docs" : path.join(os.tmpdir(), "inkstone-screenshots");
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
