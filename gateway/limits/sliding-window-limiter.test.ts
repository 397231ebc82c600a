import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { SlidingWindowLimiter } from './sliding-window-limiter.ts'

describe('sliding-window rate limiter', () => {
  it('allows `limit` calls in any 60 s, then refuses with the seconds until a slot frees', () => {
    const limiter = new SlidingWindowLimiter()
    const t0 = 1_000_000_000_000
    for (let i = 0; i < 5; i++) {
      const d = limiter.take('k', 5, t0 + i * 1000)
      expect(d).toMatchObject({ allowed: true, limit: 5, remaining: 4 - i })
    }
    const refused = limiter.take('k', 5, t0 + 10_000)
    expect(refused).toMatchObject({ allowed: false, remaining: 0, resetSeconds: 50 })
    // The first call leaves the window at t0 + 60 s: one more call is allowed, not six.
    expect(limiter.take('k', 5, t0 + 60_000)).toMatchObject({ allowed: true, remaining: 0 })
    expect(limiter.take('k', 5, t0 + 60_500).allowed).toBe(false)
    // Keys are independent.
    expect(limiter.take('other', 5, t0 + 10_000).allowed).toBe(true)
  })

  it('slides: a burst at the end of one minute counts against the start of the next', () => {
    const limiter = new SlidingWindowLimiter()
    const t0 = 1_000_000_000_000
    for (let i = 0; i < 10; i++) expect(limiter.take('k', 10, t0 + 59_000).allowed).toBe(true)
    expect(limiter.take('k', 10, t0 + 61_000).allowed).toBe(false)
    expect(limiter.take('k', 10, t0 + 119_000)).toMatchObject({ allowed: true, remaining: 9 })
  })

  it('never admits more than the limit in any 60-second window (property, against an exact log)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 200 }),
        (limit, gaps) => {
          const limiter = new SlidingWindowLimiter()
          let t = 1_700_000_000_000
          const admitted: number[] = []
          for (const gap of gaps) {
            t += gap
            if (limiter.take('k', limit, t).allowed) admitted.push(t)
          }
          // Whole-second buckets: count per window of 60 whole seconds.
          for (const a of admitted) {
            const second = Math.floor(a / 1000)
            const inWindow = admitted.filter((b) => Math.floor(b / 1000) > second - 60 && Math.floor(b / 1000) <= second).length
            if (inWindow > limit) return false
          }
          return true
        },
      ),
    )
  })

  it('admits again after a long idle gap (buckets are cleared, not wrapped)', () => {
    const limiter = new SlidingWindowLimiter()
    const t0 = 1_000_000_000_000
    for (let i = 0; i < 3; i++) limiter.take('k', 3, t0)
    expect(limiter.take('k', 3, t0 + 3_600_000)).toMatchObject({ allowed: true, remaining: 2 })
  })
})
