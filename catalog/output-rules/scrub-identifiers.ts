// The last line of the output layer (ADR 0037): identity numbers, mobile numbers and bank-card numbers never leave the
// platform unmasked, at any level, whatever a dataset's tags say. The field tags mask what the catalog knows about;
// this masks what it does not — a number in an untagged field, in free text, or echoed back in a tool's answer.
//
// Looked for in strings only, as runs of digits not touching another digit — glued to letters too (`tel13912345678`) —
// except inside a hexadecimal token of 20 characters or more (request ids, UUIDs: their digits are not numbers):
//   18 characters, 17 digits and a digit or X, with a valid birth date and GB 11643 check digit → 210102********1234
//   11 digits, 1[3-9]…, a mainland mobile number                                            → 139****5678
//   16–19 digits that pass the Luhn check, a bank-card number                                 → 622202******0123
// Numbers (JSON numbers: sums, counts) are not strings and are never touched.

import { MASK_RULES } from '#catalog/desensitization/mask-rules.ts'

const CANDIDATE = /(?<!\d)(?:\d{17}[0-9Xx]|\d{11,19})(?!\d)/g
const HEX = /[0-9A-Fa-f-]/
const HEX_TOKEN_MIN = 20

/** Whether the run at [start, end) lies in a hexadecimal token (digits, a–f, hyphens) of at least 20 characters. */
function inHexToken(text: string, start: number, end: number): boolean {
  let from = start
  let to = end
  while (from > 0 && HEX.test(text[from - 1]!)) from--
  while (to < text.length && HEX.test(text[to]!)) to++
  return to - from >= HEX_TOKEN_MIN
}
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'

/** An 18-character resident identity number (GB 11643-1999) with a real birth date and a valid check character. */
export function isIdentityNumber(value: string): boolean {
  if (!/^\d{17}[0-9Xx]$/.test(value)) return false
  const year = Number(value.slice(6, 10))
  const month = Number(value.slice(10, 12))
  const day = Number(value.slice(12, 14))
  if (year < 1900 || year > 2099 || month < 1 || month > 12 || day < 1) return false
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return false
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(value[i]) * ID_WEIGHTS[i]!
  return ID_CHECK[sum % 11] === value[17]!.toUpperCase()
}

/** An 11-digit mainland mobile number. */
export const isMobileNumber = (value: string): boolean => /^1[3-9]\d{9}$/.test(value)

/** A 16–19 digit number that passes the Luhn check (bank cards, ISO/IEC 7812). */
export function isBankCardNumber(value: string): boolean {
  if (!/^\d{16,19}$/.test(value)) return false
  let sum = 0
  for (let i = 0; i < value.length; i++) {
    let d = Number(value[value.length - 1 - i])
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

function maskRun(run: string): string | null {
  if (run.length === 18 && isIdentityNumber(run)) return MASK_RULES.id_card(run)
  if (run.length === 11 && isMobileNumber(run)) return MASK_RULES.phone(run)
  if (run.length >= 16 && isBankCardNumber(run)) return MASK_RULES.bank_card(run)
  return null
}

/** The string with every identity, mobile and bank-card number masked, and how many were. */
export function scrubIdentifiers(text: string): { text: string; scrubbed: number } {
  let scrubbed = 0
  const out = text.replace(CANDIDATE, (run: string, offset: number) => {
    if (inHexToken(text, offset, offset + run.length)) return run
    const masked = maskRun(run)
    if (masked === null) return run
    scrubbed++
    return masked
  })
  return { text: scrubbed === 0 ? text : out, scrubbed }
}

/**
 * A JSON-serialisable value with every string scrubbed (object keys included); the same value when nothing was
 * found, so the common answer costs one walk and no copy.
 */
export function scrubIdentifiersDeep<T>(value: T): { value: T; scrubbed: number } {
  let scrubbed = 0
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const r = scrubIdentifiers(v)
      scrubbed += r.scrubbed
      return r.text
    }
    if (Array.isArray(v)) {
      let changed = false
      const out = v.map((item) => {
        const w = walk(item)
        if (w !== item) changed = true
        return w
      })
      return changed ? out : v
    }
    if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      let changed = false
      const out: Record<string, unknown> = {}
      for (const [k, item] of Object.entries(v)) {
        const key = walk(k) as string
        const w = walk(item)
        if (w !== item || key !== k) changed = true
        out[key] = w
      }
      return changed ? out : v
    }
    return v
  }
  const result = walk(value) as T
  return { value: result, scrubbed }
}
