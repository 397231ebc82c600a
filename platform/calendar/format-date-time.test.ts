import { describe, expect, it } from 'vitest'
import { formatDateTime, fromLocal } from './shanghai-calendar.ts'

describe('formatDateTime', () => {
  it('writes the city wall-clock time in ISO order, whatever the instant is in UTC', () => {
    expect(formatDateTime(fromLocal(2026, 1, 2, 3, 4, 5))).toBe('2026-01-02 03:04:05')
    expect(formatDateTime(fromLocal(2026, 12, 31, 23, 59, 59))).toBe('2026-12-31 23:59:59')
    // Midnight UTC on 1 March is already morning in Shanghai.
    expect(formatDateTime(Date.UTC(2026, 2, 1))).toMatch(/^2026-03-01 0\d:00:00$/)
  })
})
