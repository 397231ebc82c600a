// 18-digit PRC resident identity number (公民身份号码), GB 11643-1999.
//
//   positions 1-6    address code (GB/T 2260 division of household registration)
//   positions 7-14   date of birth YYYYMMDD
//   positions 15-17  sequence code (odd = male, even = female)
//   position  18     check char (ISO 7064 MOD 11-2): '0'-'9' or 'X'

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const
const CHECK_MAP = '10X98765432'

/** The 18th character computed from the first 17 digits. Throws on malformed input (a programming error). */
export function idCardCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError(`idCardCheckChar: expected 17 digits, got '${first17}'`)
  let sum = 0
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * (WEIGHTS[i] ?? 0)
  return CHECK_MAP[sum % 11] ?? ''
}

/** True when YYYYMMDD is a real Gregorian calendar date. */
export function isRealDate(yyyymmdd: string): boolean {
  if (!/^\d{8}$/.test(yyyymmdd)) return false
  const y = Number(yyyymmdd.slice(0, 4))
  const m = Number(yyyymmdd.slice(4, 6))
  const d = Number(yyyymmdd.slice(6, 8))
  if (m < 1 || m > 12 || d < 1) return false
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0
  return d <= days
}

/**
 * True for an 18-character number: 17 digits, a real date of birth (year 1800
 * or later), and a matching check char ('X' upper-case only). Never throws.
 */
export function isValidIdCard(s: string): boolean {
  if (typeof s !== 'string' || s.length !== 18) return false
  const first17 = s.slice(0, 17)
  if (!/^\d{17}$/.test(first17)) return false
  const birth = s.slice(6, 14)
  if (!isRealDate(birth) || Number(birth.slice(0, 4)) < 1800) return false
  return idCardCheckChar(first17) === s[17]
}

export interface MakeIdCardInput {
  /** Six-digit division code, e.g. '210102'. */
  divisionCode: string
  /** Date of birth 'YYYYMMDD'. */
  birth: string
  /** Three-digit sequence, '000'-'999' (odd last digit = male); a number is zero-padded. */
  sequence3: string | number
}

/** Builds a valid 18-character ID number. Throws on malformed input. */
export function makeIdCard(input: MakeIdCardInput): string {
  const { divisionCode, birth } = input
  const sequence3 = typeof input.sequence3 === 'number' ? String(input.sequence3).padStart(3, '0') : input.sequence3
  if (!/^\d{6}$/.test(divisionCode)) throw new RangeError(`makeIdCard: bad division code '${divisionCode}'`)
  if (!isRealDate(birth)) throw new RangeError(`makeIdCard: bad date of birth '${birth}'`)
  if (!/^\d{3}$/.test(sequence3)) throw new RangeError(`makeIdCard: bad sequence '${sequence3}'`)
  const first17 = divisionCode + birth + sequence3
  return first17 + idCardCheckChar(first17)
}
