import { performance } from 'node:perf_hooks'

/**
 * The longest time the event loop stood still while something ran: a 5 ms ticker records the largest gap between its
 * ticks, and stop() counts the gap since the last tick too, so a block that lasts the whole window is measured (a
 * `monitorEventLoopDelay` histogram gets no sample at all from such a block).
 */
export function startStallMeter(): { stop: () => number } {
  let last = performance.now()
  let longest = 0
  const ticker = setInterval(() => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
  }, 5)
  return {
    stop() {
      clearInterval(ticker)
      return Math.round(Math.max(longest, performance.now() - last))
    },
  }
}
