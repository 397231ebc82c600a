/**
 * Waits in tests are for conditions (`vi.waitFor`, `expect.poll`) or, for a promise about time, past it: never a
 * bet that something finishes within a duration (a loaded machine loses such bets).
 */

/**
 * The gateway's promise: a change of access state (key revoked or expired, suspension, subscription, authorization)
 * is seen by every gateway process within 1 s (its caches live ACCESS_TTL_MS = 500 ms).
 */
export const PROPAGATION_PROMISE_MS = 1000

/**
 * Resolves once `ms` have passed since `since` (a `performance.now()` reading). A check made after it tests a promise
 * of the form "seen within `ms`": a longer wait (a loaded machine) can only make the check later, never make it fail.
 */
export async function waitUntilElapsed(since: number, ms: number): Promise<void> {
  for (let left = since + ms - performance.now(); left > 0; left = since + ms - performance.now()) {
    await new Promise((r) => setTimeout(r, left))
  }
}
