import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { creditBand, CREDIT_SCORE_WEIGHTS, scoreCredit, yearsSince, type CreditScoreInputs } from './credit-score-model.ts'

const AS_OF = Date.UTC(2026, 10, 28)
const base: CreditScoreInputs = {
  status: 'active',
  foundedOn: '2006-04-12',
  registeredCapitalWan: 10_000,
  taxRatings: ['A', 'A', 'A'],
  socialSecurity: { monthsInWindow: 3, monthsWithContributions: 3, latestHeadcount: 50 },
  asOf: AS_OF,
}

describe('the enterprise credit score model', () => {
  it('gives 1000 to an enterprise at the top of every factor, and the documented weights sum to 1', () => {
    expect(Object.values(CREDIT_SCORE_WEIGHTS).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10)
    expect(scoreCredit(base)).toMatchObject({ score: 1000, band: 'excellent' })
  })

  it('applies each documented weight', () => {
    expect(scoreCredit({ ...base, status: 'cancelled' }).score).toBe(750)
    expect(scoreCredit({ ...base, status: 'abnormal' }).score).toBe(1000 - 0.7 * 250)
    expect(scoreCredit({ ...base, taxRatings: ['D', 'D', 'D'] }).score).toBe(750)
    expect(scoreCredit({ ...base, taxRatings: [] }).score).toBe(1000 - 0.6 * 250)
    expect(scoreCredit({ ...base, foundedOn: '2026-01-01' }).score).toBe(800)
    expect(
      scoreCredit({ ...base, socialSecurity: { monthsInWindow: 3, monthsWithContributions: 0, latestHeadcount: 0 } }).score,
    ).toBe(850)
    expect(
      scoreCredit({ ...base, socialSecurity: { monthsInWindow: 0, monthsWithContributions: 0, latestHeadcount: 0 } }).score,
    ).toBe(850)
  })

  it('names the three factors farthest from neutral, with their direction', () => {
    const s = scoreCredit({ ...base, status: 'revoked', taxRatings: ['C'], registeredCapitalWan: 3_000 })
    expect(s.mainFactors.map((f) => [f.code, f.impact])).toEqual([
      ['registry_status', 'negative'],
      ['registry_age', 'positive'],
      ['social_security', 'positive'],
    ])
    // Effects (|sub-score − 0.5| × weight): status 0.125, age 0.1, social security 0.075, tax 0.0625, capital 0.055.
  })

  it('bands at 800 / 650 / 500 / 350', () => {
    expect([800, 799, 650, 649, 500, 499, 350, 349].map(creditBand)).toEqual([
      'excellent',
      'good',
      'good',
      'fair',
      'fair',
      'weak',
      'weak',
      'poor',
    ])
  })

  it('counts whole years', () => {
    expect(yearsSince('2006-11-28', AS_OF)).toBe(20)
    expect(yearsSince('2006-11-29', AS_OF)).toBe(19)
    expect(yearsSince('2030-01-01', AS_OF)).toBe(0)
  })

  it('always scores 0–1000, deterministically, and never falls when a rating improves (property)', () => {
    const rating = fc.constantFrom('A', 'B', 'M', 'C', 'D' as const)
    const inputs = fc.record({
      status: fc.constantFrom('active', 'revoked', 'cancelled', 'abnormal' as const),
      foundedOn: fc
        .date({ min: new Date('1990-01-01'), max: new Date('2026-11-01'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
      registeredCapitalWan: fc.integer({ min: 0, max: 1_000_000 }),
      taxRatings: fc.array(rating, { maxLength: 3 }),
      socialSecurity: fc
        .record({
          monthsInWindow: fc.integer({ min: 0, max: 12 }),
          monthsWithContributions: fc.integer({ min: 0, max: 12 }),
          latestHeadcount: fc.integer({ min: 0, max: 5_000 }),
        })
        .map((s) => ({ ...s, monthsWithContributions: Math.min(s.monthsWithContributions, s.monthsInWindow) })),
      asOf: fc.constant(AS_OF),
    }) as fc.Arbitrary<CreditScoreInputs>
    fc.assert(
      fc.property(inputs, (x) => {
        const s = scoreCredit(x)
        expect(s.score).toBeGreaterThanOrEqual(0)
        expect(s.score).toBeLessThanOrEqual(1000)
        expect(scoreCredit(x)).toEqual(s)
        expect(s.band).toBe(creditBand(s.score))
        expect(s.mainFactors).toHaveLength(3)
        if (x.taxRatings.length > 0) {
          const better = scoreCredit({ ...x, taxRatings: x.taxRatings.map(() => 'A') })
          expect(better.score).toBeGreaterThanOrEqual(s.score)
        }
      }),
    )
  })
})
