import { describe, expect, it } from 'vitest'
import { secondsUntil } from './seconds-until.ts'

describe('secondsUntil', () => {
  it('rounds Retry-After up to whole seconds, at least 1', () => {
    expect(secondsUntil(10_001, 0)).toBe(11)
    expect(secondsUntil(10_000, 0)).toBe(10)
    expect(secondsUntil(0, 5)).toBe(1)
  })
})
