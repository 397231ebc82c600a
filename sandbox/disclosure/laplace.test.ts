import { describe, expect, it } from 'vitest'
import { laplaceFromUniform, sampleLaplace, secureUniform } from './laplace.ts'

describe('the Laplace sampler', () => {
  it('maps uniform draws through the inverse CDF: the median to 0, the quartiles to ±b·ln 2', () => {
    expect(laplaceFromUniform(0.5, 3)).toBe(0)
    expect(laplaceFromUniform(0.25, 3)).toBeCloseTo(-3 * Math.log(2), 12)
    expect(laplaceFromUniform(0.75, 3)).toBeCloseTo(3 * Math.log(2), 12)
    // Symmetric.
    expect(laplaceFromUniform(0.1, 2)).toBeCloseTo(-laplaceFromUniform(0.9, 2), 12)
    // Finite at the extremes of (0, 1).
    expect(Number.isFinite(laplaceFromUniform(Number.EPSILON, 1))).toBe(true)
    expect(Number.isFinite(laplaceFromUniform(1 - Number.EPSILON / 2, 1))).toBe(true)
  })

  it('draws uniforms strictly inside (0, 1) from the CSPRNG', () => {
    for (let i = 0; i < 10_000; i++) {
      const u = secureUniform()
      expect(u > 0 && u < 1).toBe(true)
    }
  })

  it('has mean 0, mean absolute deviation b and variance 2b² (40,000 draws, 5σ bounds)', () => {
    const b = 2
    const n = 40_000
    let sum = 0
    let abs = 0
    let sq = 0
    for (let i = 0; i < n; i++) {
      const x = sampleLaplace(b)
      sum += x
      abs += Math.abs(x)
      sq += x * x
    }
    // σ of the mean is sqrt(2b²/n) ≈ 0.014; of the mean |x| is b/sqrt(n) = 0.01.
    expect(Math.abs(sum / n)).toBeLessThan(5 * Math.sqrt((2 * b * b) / n))
    expect(Math.abs(abs / n - b)).toBeLessThan(5 * (b / Math.sqrt(n)))
    expect(sq / n / (2 * b * b)).toBeGreaterThan(0.9)
    expect(sq / n / (2 * b * b)).toBeLessThan(1.1)
  })

  it('refuses a scale that is not positive and finite', () => {
    expect(() => sampleLaplace(0)).toThrow()
    expect(() => sampleLaplace(-1)).toThrow()
    expect(() => sampleLaplace(Number.POSITIVE_INFINITY)).toThrow()
  })
})
