// Unified social credit code (统一社会信用代码), GB 32100-2015.
//
//   position  1      registration authority (登记管理部门码), e.g. '9' = 工商 (market regulation)
//   position  2      organisation type (机构类别码), e.g. '1' = enterprise under '9'
//   positions 3-8    administrative division code (登记管理机关行政区划码), GB/T 2260
//   positions 9-17   organisation code (主体标识码), GB 11714: 8-char body + 1 check char
//   position  18     check char over positions 1-17
//
// The alphabet is the digits plus 21 upper-case letters (no I, O, S, V, Z);
// a character's value is its index in USCC_CHARSET.

export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY'

const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const

/** GB 11714 organisation-code weights for the 8 body characters. */
const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const

const usccValue = (c: string): number => USCC_CHARSET.indexOf(c)

/**
 * The 18th character of a USCC, computed from the first 17.
 * Throws on input that is not 17 characters of the USCC alphabet (a programming error).
 */
export function usccCheckChar(first17: string): string {
  if (first17.length !== 17) throw new RangeError(`usccCheckChar: expected 17 characters, got ${first17.length}`)
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const v = usccValue(first17[i] ?? '')
    if (v < 0) throw new RangeError(`usccCheckChar: '${first17[i]}' at position ${i + 1} is not in the USCC alphabet`)
    sum += v * (USCC_WEIGHTS[i] ?? 0)
  }
  const check = (31 - (sum % 31)) % 31
  return USCC_CHARSET[check] ?? ''
}

/**
 * GB 11714 organisation-code check character for an 8-character body
 * (digits, or upper-case letters valued A=10 … Z=35).
 * C9 = 11 − (Σ value·weight mod 11); 10 → 'X', 11 → '0'.
 * Returns null when the body is malformed.
 */
export function orgCodeCheckChar(body8: string): string | null {
  if (!/^[0-9A-Z]{8}$/.test(body8)) return null
  let sum = 0
  for (let i = 0; i < 8; i++) {
    const c = body8.charCodeAt(i)
    const v = c <= 57 ? c - 48 : c - 55 // '0'..'9' → 0..9, 'A'..'Z' → 10..35
    sum += v * (ORG_CODE_WEIGHTS[i] ?? 0)
  }
  const c9 = 11 - (sum % 11)
  return c9 === 10 ? 'X' : c9 === 11 ? '0' : String(c9)
}

/** True when `s` is an 18-character USCC in the GB 32100 alphabet whose check character matches. Never throws. */
export function isValidUscc(s: string): boolean {
  return explainUscc(s).valid
}

export type UsccInvalidReason = 'length' | 'charset' | 'check_digit'

export interface UsccExplanation {
  valid: boolean
  /** Why the code is invalid; absent when valid. Checked in this order. */
  reason?: UsccInvalidReason
  /** 1-based position of the first character outside the alphabet (reason 'charset'). */
  position?: number
  /** Position 1 (登记管理部门码). Present once length and charset pass. */
  registrationAuthority?: string
  /** Position 2 (机构类别码). */
  orgType?: string
  /** Positions 3-8: administrative division code of the registering authority. */
  divisionCode?: string
  /** Positions 9-17: the GB 11714 organisation code (8-char body + its check char). */
  organizationCode?: string
  /** Whether the embedded organisation code's own GB 11714 check char matches (informational: not part of `valid`). */
  organizationCodeValid?: boolean
  /** The 18th character as given. */
  checkChar?: string
  /** The 18th character the first 17 call for. */
  expectedCheckChar?: string
}

/**
 * Explains a candidate USCC: structural parts plus the first reason it fails.
 * Input must already be upper-case and trimmed (lower-case letters fail 'charset').
 */
export function explainUscc(s: string): UsccExplanation {
  if (typeof s !== 'string' || s.length !== 18) return { valid: false, reason: 'length' }
  for (let i = 0; i < 18; i++) {
    if (usccValue(s[i] ?? '') < 0) return { valid: false, reason: 'charset', position: i + 1 }
  }
  const organizationCode = s.slice(8, 17)
  const parts = {
    registrationAuthority: s.slice(0, 1),
    orgType: s.slice(1, 2),
    divisionCode: s.slice(2, 8),
    organizationCode,
    organizationCodeValid: orgCodeCheckChar(organizationCode.slice(0, 8)) === organizationCode.slice(8),
    checkChar: s.slice(17),
    expectedCheckChar: usccCheckChar(s.slice(0, 17)),
  }
  return parts.checkChar === parts.expectedCheckChar
    ? { valid: true, ...parts }
    : { valid: false, reason: 'check_digit', ...parts }
}

export interface MakeUsccInput {
  /** Position 1, e.g. '9' (market regulation). */
  registrationAuthority: string
  /** Position 2, e.g. '1' (enterprise). */
  orgType: string
  /** Six-digit division code, e.g. '210102' (沈阳市和平区). */
  divisionCode: string
  /** The 8-character organisation-code body; its check char is computed. Must use the USCC alphabet. */
  orgCodeBody8: string
}

/** Builds a valid USCC, computing both the organisation-code and the final check characters. Throws on malformed input. */
export function makeUscc(input: MakeUsccInput): string {
  const { registrationAuthority, orgType, divisionCode, orgCodeBody8 } = input
  if (registrationAuthority.length !== 1 || usccValue(registrationAuthority) < 0)
    throw new RangeError(`makeUscc: bad registration authority '${registrationAuthority}'`)
  if (orgType.length !== 1 || usccValue(orgType) < 0) throw new RangeError(`makeUscc: bad organisation type '${orgType}'`)
  if (!/^\d{6}$/.test(divisionCode)) throw new RangeError(`makeUscc: bad division code '${divisionCode}'`)
  if (orgCodeBody8.length !== 8 || [...orgCodeBody8].some((c) => usccValue(c) < 0))
    throw new RangeError(`makeUscc: bad organisation-code body '${orgCodeBody8}'`)
  const orgCheck = orgCodeCheckChar(orgCodeBody8)
  if (orgCheck === null) throw new RangeError(`makeUscc: bad organisation-code body '${orgCodeBody8}'`)
  const first17 = registrationAuthority + orgType + divisionCode + orgCodeBody8 + orgCheck
  return first17 + usccCheckChar(first17)
}
