/**
 * Tests wait on conditions, never for a fixed time: waitFor polls until what
 * it reads is ready, and when it gives up says what it waited for and what it
 * last saw. The timeout only bounds a test that would otherwise hang; it is
 * not what the test checks.
 */
import { setTimeout as sleep } from "node:timers/promises";

export interface WaitOptions<T> {
  /** What is awaited, for the failure message: "the run to finish". */
  what: string;
  /** Whether a value read is the one awaited (default: it is truthy). */
  until?: (value: T) => boolean;
  /** The last value as the failure shows it (default: as JSON). */
  describe?: (value: T) => string;
  timeout?: number;
  /** How long between reads. */
  interval?: number;
}

export class WaitTimeout extends Error {}

/** Reads until the value is the one awaited, and returns it; an error thrown by `read` ends the wait at once. */
export async function waitFor<T>(read: () => T | Promise<T>, opts: WaitOptions<T>): Promise<T> {
  const { what, until = Boolean, describe = (v: T) => JSON.stringify(v), timeout = 30_000, interval = 100 } = opts;
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await read();
    if (until(value)) return value;
    if (Date.now() > deadline) throw new WaitTimeout(`timed out after ${timeout / 1000} s waiting for ${what}; last saw: ${describe(value)}`);
    await sleep(interval);
  }
}
