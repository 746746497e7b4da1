/**
 * Guessing passwords is throttled: after too many failed sign-ins within a
 * window, per account and per client address, further tries are refused
 * (even with the right password) until the window passes. In memory: one
 * server process, and a restart forgiving old failures is harmless.
 */
import { RateLimiterMemory } from "rate-limiter-flexible";

export const SIGN_IN_LIMITS = {
  /** Failed sign-ins allowed per account within `windowSeconds`. */
  perAccount: 10,
  /** Failed sign-ins allowed per client address within `windowSeconds` (every account together). */
  perAddress: 30,
  windowSeconds: 15 * 60,
} as const;

interface Limiters {
  account: RateLimiterMemory;
  address: RateLimiterMemory;
}

// On globalThis: route bundles load this module separately, the counts must be shared.
const holder = globalThis as unknown as { __inkstoneSignIn?: Limiters };
function limiters(): Limiters {
  return (holder.__inkstoneSignIn ??= {
    account: new RateLimiterMemory({ keyPrefix: "sign-in-account", points: SIGN_IN_LIMITS.perAccount, duration: SIGN_IN_LIMITS.windowSeconds }),
    address: new RateLimiterMemory({ keyPrefix: "sign-in-address", points: SIGN_IN_LIMITS.perAddress, duration: SIGN_IN_LIMITS.windowSeconds }),
  });
}

/** Why sign-in is refused for now, or undefined. */
export async function signInBlocked(email: string, address: string): Promise<string | undefined> {
  const { account, address: byAddress } = limiters();
  for (const [limiter, key, who] of [
    [account, email, "this account"],
    [byAddress, address, "this address"],
  ] as const) {
    const state = await limiter.get(key);
    if (state && state.consumedPoints >= limiter.points) {
      return `too many failed sign-ins for ${who}; try again in ${Math.ceil(state.msBeforeNext / 60_000)} min`;
    }
  }
  return undefined;
}

export async function recordSignInFailure(email: string, address: string): Promise<void> {
  const { account, address: byAddress } = limiters();
  // consume() rejects once over the limit: that is expected here, the next try is refused by signInBlocked.
  await Promise.allSettled([account.consume(email), byAddress.consume(address)]);
}

export async function recordSignInSuccess(email: string): Promise<void> {
  await limiters().account.delete(email);
}
