import { randomBytes } from 'node:crypto'

// The Laplace mechanism's sampler (ADR 0038). Not a seedable PRNG library: noise an attacker could predict protects
// nothing, so the uniform draws come from node:crypto. 53 random bits make a double in (0, 1); the inverse CDF turns
// it into Laplace(0, b). Known limit (Mironov 2012): floating-point Laplace leaks through the low bits of the result;
// released values are rounded (counts to integers, sums and averages to 2 decimals), which removes those bits.

/** A uniform double in (0, 1) from the operating system's CSPRNG: never 0, so the logarithm below is finite. */
export function secureUniform(): number {
  for (;;) {
    const b = randomBytes(7)
    // 53 bits: 5 from the first byte, 48 from the other six.
    const hi = b[0]! & 0x1f
    const lo = b.readUIntBE(1, 6)
    const u = (hi * 2 ** 48 + lo) / 2 ** 53
    if (u > 0) return u
  }
}

/** Laplace(0, scale) from one uniform draw in (0, 1) by the inverse CDF. */
export function laplaceFromUniform(u: number, scale: number): number {
  const centred = u - 0.5
  // `+ 0` turns the median's -0 into 0.
  return -scale * Math.sign(centred) * Math.log(1 - 2 * Math.abs(centred)) + 0
}

export function sampleLaplace(scale: number, uniform: () => number = secureUniform): number {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`Laplace scale must be positive, got ${scale}`)
  return laplaceFromUniform(uniform(), scale)
}
