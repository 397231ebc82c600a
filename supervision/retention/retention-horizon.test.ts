import { describe, expect, it } from 'vitest'
import { formatDay, fromLocal, parseDay } from '#platform/calendar/shanghai-calendar.ts'
import { deletableFrom, keepFrom } from './retention-horizon.ts'

const day = (text: string) => parseDay(text)!

describe('retention horizon (6 calendar months, Asia/Shanghai)', () => {
  it('keeps an event of 31 March through 30 September and lets it go on 1 October', () => {
    const event = fromLocal(2026, 3, 31, 15, 30)
    expect(formatDay(deletableFrom(event, 6))).toBe('2026-10-01')
    expect(deletableFrom(event, 6)).toBe(day('2026-10-01'))
    expect(event >= keepFrom(day('2026-09-30') + 86_399_999, 6)).toBe(true) // still kept on the last second of 30 Sep
    expect(event < keepFrom(day('2026-10-01'), 6)).toBe(true)
  })

  it('clamps to the month end and counts across years', () => {
    expect(formatDay(deletableFrom(fromLocal(2025, 8, 31), 6))).toBe('2026-03-01') // kept through 28 Feb 2026
    expect(formatDay(deletableFrom(fromLocal(2023, 8, 31), 6))).toBe('2024-03-01') // kept through 29 Feb 2024
    expect(formatDay(deletableFrom(fromLocal(2026, 1, 15, 23, 59), 6))).toBe('2026-07-16')
    expect(formatDay(deletableFrom(fromLocal(2026, 1, 15), 12))).toBe('2027-01-16')
  })

  it('keepFrom is the exact inverse of deletableFrom for any anchor and day', () => {
    let seed = 42
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31
    for (let i = 0; i < 5000; i++) {
      const anchor = fromLocal(2020, 1, 1) + Math.floor(next() * 10 * 365 * 86_400_000)
      const now = anchor + Math.floor(next() * 500 * 86_400_000)
      const months = 6 + Math.floor(next() * 30)
      expect(anchor < keepFrom(now, months), `${formatDay(anchor)} at ${formatDay(now)} +${months}`).toBe(
        now >= deletableFrom(anchor, months),
      )
    }
  })
})
