import { describe, expect, it } from 'vitest'
import { formatFen } from './format.ts'

describe('formatFen', () => {
  it('shows yuan with two decimals and grouping', () => {
    expect(formatFen(0)).toBe('¥0.00')
    expect(formatFen(5)).toBe('¥0.05')
    expect(formatFen(123456)).toBe('¥1,234.56')
    expect(formatFen(-100)).toBe('-¥1.00')
    expect(formatFen(100000000001)).toBe('¥1,000,000,000.01')
  })
})
