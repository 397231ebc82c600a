// Seeded pseudo-random numbers for the synthetic city. Same seed → same
// sequence on every machine: sfc32 (32-bit integer arithmetic only) seeded by
// cyrb128 over the seed string. Never use Math.random in the generator.

/** cyrb128: a small non-cryptographic string hash giving four 32-bit words. */
export function hashSeed(str: string): [number, number, number, number] {
  let h1 = 1779033703
  let h2 = 3144134277
  let h3 = 1013904242
  let h4 = 2773480762
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i)
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067)
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233)
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213)
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179)
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067)
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233)
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213)
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179)
  h1 ^= h2 ^ h3 ^ h4
  h2 ^= h1
  h3 ^= h1
  h4 ^= h1
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0]
}

/** sfc32 over four 32-bit words; returns uint32 values. */
function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    a |= 0
    b |= 0
    c |= 0
    d |= 0
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return t >>> 0
  }
}

export interface Rng {
  /** The seed this generator was made from. */
  readonly seed: string
  /** Uniform uint32. */
  uint32(): number
  /** Uniform float in [0, 1). */
  next(): number
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number
  /** Uniform float in [min, max). */
  float(min: number, max: number): number
  /** True with probability p. */
  chance(p: number): boolean
  /** A uniformly chosen element. Throws on an empty array. */
  pick<T>(arr: readonly T[]): T
  /** An element chosen with probability proportional to weight(element). Throws when all weights are 0. */
  weighted<T>(arr: readonly T[], weight: (item: T) => number): T
  /** Approximately standard normal (Irwin–Hall: sum of 12 uniforms − 6), bounded to ±6. */
  normal(mean?: number, sd?: number): number
  /** exp(normal(mu, sigma)): log-normal-ish, for money and sizes. */
  logNormal(mu: number, sigma: number): number
  /** A string of `length` characters drawn from `alphabet`. */
  chars(alphabet: string, length: number): string
  /** A new, independent generator whose seed is this seed plus `label`. Does not advance this one. */
  fork(label: string): Rng
}

/** A deterministic generator from a string seed. */
export function createRng(seed: string): Rng {
  const [a, b, c, d] = hashSeed(seed)
  const u32 = sfc32(a, b, c, d)
  // Warm up: the first outputs of sfc32 are weakly mixed.
  for (let i = 0; i < 15; i++) u32()
  const next = () => u32() / 4294967296
  const rng: Rng = {
    seed,
    uint32: u32,
    next,
    int(min, max) {
      if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) throw new RangeError(`int(${min}, ${max})`)
      return min + Math.floor(next() * (max - min + 1))
    },
    float(min, max) {
      return min + next() * (max - min)
    },
    chance(p) {
      return next() < p
    },
    pick(arr) {
      if (arr.length === 0) throw new RangeError('pick from an empty array')
      return arr[Math.floor(next() * arr.length)] as (typeof arr)[number]
    },
    weighted(arr, weight) {
      let total = 0
      for (const item of arr) total += Math.max(0, weight(item))
      if (!(total > 0)) throw new RangeError('weighted pick with no positive weight')
      let r = next() * total
      for (const item of arr) {
        r -= Math.max(0, weight(item))
        if (r < 0) return item
      }
      // Floating-point leftovers: return the last item with positive weight.
      for (let i = arr.length - 1; i >= 0; i--) {
        const item = arr[i] as (typeof arr)[number]
        if (weight(item) > 0) return item
      }
      throw new RangeError('unreachable')
    },
    normal(mean = 0, sd = 1) {
      let s = 0
      for (let i = 0; i < 12; i++) s += next()
      return mean + (s - 6) * sd
    },
    logNormal(mu, sigma) {
      return Math.exp(rng.normal(mu, sigma))
    },
    chars(alphabet, length) {
      let out = ''
      for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)] ?? ''
      return out
    },
    fork(label) {
      return createRng(`${seed}/${label}`)
    },
  }
  return rng
}

/**
 * Precomputed cumulative weights for repeated weighted picks from a fixed list
 * (binary search: O(log n) per pick).
 */
export function weightedPicker<T>(items: readonly T[], weights: readonly number[]): (rng: Rng) => T {
  if (items.length === 0 || items.length !== weights.length) throw new RangeError('weightedPicker: bad input')
  const cumulative: number[] = []
  let total = 0
  for (const w of weights) {
    total += Math.max(0, w)
    cumulative.push(total)
  }
  if (!(total > 0)) throw new RangeError('weightedPicker: no positive weight')
  return (rng) => {
    const r = rng.next() * total
    let lo = 0
    let hi = cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((cumulative[mid] ?? 0) > r) hi = mid
      else lo = mid + 1
    }
    return items[lo] as T
  }
}
