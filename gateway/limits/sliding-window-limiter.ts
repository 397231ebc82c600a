const WINDOW_SECONDS = 60

/** One key's last minute, in one-second buckets (a ring of 60 counters). */
class Window {
  readonly counts = new Uint32Array(WINDOW_SECONDS)
  total = 0
  /** The second (epoch seconds) the newest bucket belongs to. */
  head = 0

  /** Drops the buckets that slid out of the window ending at `second`. */
  advance(second: number) {
    if (second <= this.head) return
    const steps = Math.min(second - this.head, WINDOW_SECONDS)
    for (let i = 1; i <= steps; i++) {
      const slot = (this.head + i) % WINDOW_SECONDS
      this.total -= this.counts[slot]!
      this.counts[slot] = 0
    }
    this.head = second
  }

  /** The second of the oldest call still in the window (the head when empty). */
  oldestSecond(): number {
    for (let s = this.head - WINDOW_SECONDS + 1; s <= this.head; s++) {
      if (this.counts[((s % WINDOW_SECONDS) + WINDOW_SECONDS) % WINDOW_SECONDS]! > 0) return s
    }
    return this.head
  }
}

export interface RateDecision {
  allowed: boolean
  limit: number
  /** Calls still allowed in the current window (after this one, when allowed). */
  remaining: number
  /** Seconds until the oldest counted call leaves the window, i.e. until one more call is allowed. */
  resetSeconds: number
}

/**
 * Rate limit per subscription (any key string) over a sliding 60-second window (one-second resolution).
 * In memory, per process: see docs/decisions/0009-gateway-limits-and-suspension.md
 * for what that means with several processes. O(1) per call, 60 counters per key.
 */
export class SlidingWindowLimiter {
  #windows = new Map<string, Window>()
  #sweepAt = 0

  take(key: string, limit: number, now: number): RateDecision {
    const second = Math.floor(now / 1000)
    this.#sweep(second)
    let window = this.#windows.get(key)
    if (!window) {
      window = new Window()
      window.head = second
      this.#windows.set(key, window)
    }
    window.advance(second)
    if (window.total >= limit) {
      const retryAt = (window.oldestSecond() + WINDOW_SECONDS) * 1000
      return { allowed: false, limit, remaining: 0, resetSeconds: Math.max(1, Math.ceil((retryAt - now) / 1000)) }
    }
    window.counts[second % WINDOW_SECONDS]!++
    window.total++
    const resetAt = (window.oldestSecond() + WINDOW_SECONDS) * 1000
    return { allowed: true, limit, remaining: limit - window.total, resetSeconds: Math.max(1, Math.ceil((resetAt - now) / 1000)) }
  }

  /** Forgets windows idle for a whole minute, at most once a minute. */
  #sweep(second: number) {
    if (second < this.#sweepAt) return
    this.#sweepAt = second + WINDOW_SECONDS
    for (const [key, window] of this.#windows) {
      if (second - window.head >= WINDOW_SECONDS) this.#windows.delete(key)
    }
  }
}
