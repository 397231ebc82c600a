import { describe, expect, it } from 'vitest'
import { fenToYuanInput, formatMoney, formatUnitPrice, formatUnitYuan, parseYuanAmount, parseYuanUnitPrice } from './money.ts'

describe('formatMoney', () => {
  it('shows yuan with exactly two decimals in both languages', () => {
    expect(formatMoney(0)).toBe('¥0.00')
    expect(formatMoney(5)).toBe('¥0.05')
    expect(formatMoney(5_000_000, 'zh')).toBe('¥50,000.00')
    expect(formatMoney(5_000_000, 'en')).toBe('¥50,000.00')
    expect(formatMoney(123_456)).toBe('¥1,234.56')
  })
  it('rounds a precise fen amount half-up, once', () => {
    expect(formatMoney('0.5')).toBe('¥0.01')
    expect(formatMoney('0.49999')).toBe('¥0.00')
    expect(formatMoney('1234.5')).toBe('¥12.35')
    expect(formatMoney('-1234.5')).toBe('-¥12.35')
  })
  it('shows a credit (credit note, refund) with a leading minus', () => {
    expect(formatMoney(-1230)).toBe('-¥12.30')
    expect(formatMoney(-1)).toBe('-¥0.01')
    expect(formatMoney('-0.4')).toBe('¥0.00')
  })
  it('keeps every digit of large amounts (no float)', () => {
    expect(formatMoney(Number.MAX_SAFE_INTEGER)).toBe('¥90,071,992,547,409.91')
    expect(formatMoney(12_345_678_901_234_567_891n)).toBe('¥123,456,789,012,345,678.91')
    expect(formatMoney('123456789012345678901.5')).toBe('¥1,234,567,890,123,456,789.02')
  })
  it('refuses what is not a number', () => {
    expect(() => formatMoney(Number.NaN)).toThrow()
    expect(() => formatMoney('abc')).toThrow()
  })
})

describe('unit prices', () => {
  it('shows as many decimals as the price has, at least two', () => {
    expect(formatUnitYuan('2.5')).toBe('¥0.025')
    expect(formatUnitYuan('50')).toBe('¥0.50')
    expect(formatUnitYuan('5000000')).toBe('¥50,000.00')
    expect(formatUnitYuan('0.0123')).toBe('¥0.000123')
    expect(formatUnitYuan('0')).toBe('¥0.00')
  })
  it('names the unit after a slash in either language', () => {
    expect(formatUnitPrice('2.5', '次', 'zh')).toBe('¥0.025/次')
    expect(formatUnitPrice('50', 'MB', 'zh')).toBe('¥0.50/MB')
    expect(formatUnitPrice('2.5', 'call', 'en')).toBe('¥0.025/call')
    expect(formatUnitPrice('50000', '次发布', 'zh')).toBe('¥500.00/次发布')
  })
  it('gives a form back the yuan it was typed in', () => {
    expect(fenToYuanInput('2.5')).toBe('0.025')
    expect(fenToYuanInput(1250)).toBe('12.50')
    expect(fenToYuanInput(0)).toBe('0.00')
  })
})

describe('entry in yuan', () => {
  it('reads an amount with fen precision', () => {
    expect(parseYuanAmount('1,234.56')).toEqual({ ok: true, fen: 123_456 })
    expect(parseYuanAmount(' ¥12 ')).toEqual({ ok: true, fen: 1200 })
    expect(parseYuanAmount('0.5')).toEqual({ ok: true, fen: 50 })
    expect(parseYuanAmount('12元')).toEqual({ ok: true, fen: 1200 })
  })
  it('rejects more decimals than a fen, negatives, junk and the oversized', () => {
    expect(parseYuanAmount('0.025')).toEqual({ ok: false, code: 'too_many_decimals' })
    expect(parseYuanAmount('-1')).toEqual({ ok: false, code: 'decimal' })
    expect(parseYuanAmount('1e3')).toEqual({ ok: false, code: 'decimal' })
    expect(parseYuanAmount('')).toEqual({ ok: false, code: 'decimal' })
    expect(parseYuanAmount('1.')).toEqual({ ok: false, code: 'decimal' })
    expect(parseYuanAmount('9'.repeat(40))).toEqual({ ok: false, code: 'too_large' })
  })
  it('reads a unit price to a hundredth of a fen and keeps the stored unit (fen per unit)', () => {
    expect(parseYuanUnitPrice('0.025')).toEqual({ ok: true, fen: '2.5' })
    expect(parseYuanUnitPrice('0.0001')).toEqual({ ok: true, fen: '0.01' })
    expect(parseYuanUnitPrice('0.50')).toEqual({ ok: true, fen: '50' })
    expect(parseYuanUnitPrice('0.00001')).toEqual({ ok: false, code: 'too_many_decimals' })
    expect(parseYuanUnitPrice('abc')).toEqual({ ok: false, code: 'decimal' })
  })
  it('round-trips a unit price through the form', () => {
    for (const fen of ['2.5', '0.01', '50', '123456.78']) {
      const typed = fenToYuanInput(fen)
      expect(parseYuanUnitPrice(typed)).toEqual({ ok: true, fen })
    }
  })
})
