import fc from 'fast-check'

// Detectors and generators of the three numbers that never leave the platform unmasked (ADR 0037), written here
// independently of catalog/output-rules/scrub-identifiers.ts, so the tests that use them can catch it being wrong.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECKS = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2']

export function idCheckChar(first17: string): string {
  const sum = [...first17].reduce((n, c, i) => n + Number(c) * WEIGHTS[i]!, 0)
  return CHECKS[sum % 11]!
}

function luhnSum(digits: string): number {
  return [...digits].reverse().reduce((n, c, i) => {
    const d = Number(c) * (i % 2 === 1 ? 2 : 1)
    return n + (d > 9 ? d - 9 : d)
  }, 0)
}

const isRealDate = (y: number, m: number, d: number) => {
  const date = new Date(Date.UTC(y, m - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
}

/** Hexadecimal tokens of 20+ characters (request ids, UUIDs) hold digits that are not numbers. */
function hexTokenAround(text: string, index: number, length: number): number {
  let from = index
  let to = index + length
  while (from > 0 && /[0-9a-fA-F-]/.test(text[from - 1]!)) from--
  while (to < text.length && /[0-9a-fA-F-]/.test(text[to]!)) to++
  return to - from
}

/** Every unmasked identity, mobile or bank-card number in `text` (digit runs not touching other digits), with what it is. */
export function findUnmaskedIdentifiers(text: string): string[] {
  const found: string[] = []
  const runs = (re: RegExp) => [...text.matchAll(re)].filter((m) => hexTokenAround(text, m.index, m[0].length) < 20)
  for (const m of runs(/(?<!\d)\d{17}[0-9Xx](?!\d)/g)) {
    const v = m[0]
    const ok = isRealDate(Number(v.slice(6, 10)), Number(v.slice(10, 12)), Number(v.slice(12, 14)))
    if (ok && idCheckChar(v.slice(0, 17)) === v[17]!.toUpperCase()) found.push(`id ${v}`)
  }
  for (const m of runs(/(?<!\d)1[3-9]\d{9}(?!\d)/g)) found.push(`mobile ${m[0]}`)
  for (const m of runs(/(?<!\d)\d{16,19}(?!\d)/g)) if (luhnSum(m[0]) % 10 === 0) found.push(`bank card ${m[0]}`)
  return found
}

/** Every string in a JSON value (keys included). */
export function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(stringsOf)
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...stringsOf(v)])
  return []
}

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((a) => a.join(''))

/** A valid 18-character identity number: a Shenyang area, a real birth date, a sequence, its check character. */
export const identityNumberArb = fc
  .record({
    area: fc.constantFrom('210102', '210103', '210104', '210105', '210106', '210111', '210112', '210113', '210114'),
    birth: fc.date({ min: new Date('1940-01-01T00:00:00Z'), max: new Date('2008-12-31T00:00:00Z'), noInvalidDate: true }),
    seq: digits(3),
  })
  .map(({ area, birth, seq }) => {
    const ymd = birth.toISOString().slice(0, 10).replace(/-/g, '')
    const first17 = area + ymd + seq
    return first17 + idCheckChar(first17)
  })

/** A mainland mobile number. */
export const mobileNumberArb = fc.tuple(fc.constantFrom('13', '15', '17', '18', '19'), digits(9)).map(([p, rest]) => p + rest)

/** A Luhn-valid bank-card number of 16 to 19 digits. */
export const bankCardNumberArb = fc
  .tuple(fc.constantFrom('622202', '621700', '622848', '436742'), fc.integer({ min: 16, max: 19 }))
  .chain(([bin, length]) => digits(length - bin.length - 1).map((body) => bin + body))
  .map((partial) => {
    for (let check = 0; check <= 9; check++) if (luhnSum(partial + check) % 10 === 0) return partial + check
    throw new Error('unreachable')
  })

export const identifierArb = fc.oneof(identityNumberArb, mobileNumberArb, bankCardNumberArb)
