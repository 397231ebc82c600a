// Masking rules per personal-field tag (PI_TAGS in db/schema/catalog.ts).
//
// Each rule keeps a fixed visible part and replaces the rest with a FIXED number
// of `*`, so the output depends only on the visible part: neither the hidden
// characters nor how many there were can be read back. An input too short to
// hide at least `minHidden` characters is masked entirely.
//
//   tag        visible part                          example
//   name       first character                       张三丰            → 张*
//   phone      first 3 + last 4 (≥ 11 characters)    13912345678      → 139****5678
//   id_card    first 6 + last 4 (≥ 15 characters)    210102199001011234 → 210102********1234
//   bank_card  first 6 + last 4 (≥ 14 characters)    6222021234567890123 → 622202******0123
//   address    the district only                     沈阳市和平区青年大街1号 → 沈阳市和平区
//   uscc       first 8 (≥ 18 characters)             91210102MA0QW8R76J → 91210102**********
//   email      first character of the local part     li.ming@example.cn → l***@example.cn
//   plate      first 2 (province + city letter)      辽A12345          → 辽A*****
//
// The USCC rule: positions 1–8 are the registration authority, the organisation
// type and the registering division (GB 32100-2015) — they say what kind of body
// registered where, which the caller may see. Positions 9–17 are the organisation
// code that identifies the body, and 18 is a check character computed over all
// of them (it would narrow the hidden part down), so 9–18 are hidden.

import type { PiTag } from '#db/schema/catalog.ts'
import { DISTRICTS } from '#platform/reference-data/shenyang.ts'

export type MaskRule = (value: string) => string

interface KeepEnds {
  keepStart: number
  keepEnd: number
  /** Replaces the hidden part, whatever its length. */
  stars: string
  /** Fewer hidden characters than this: everything is masked. */
  minHidden: number
}

/** The visible-part rules, exported so tests state them independently of the code below. */
export const KEEP_ENDS_RULES = {
  phone: { keepStart: 3, keepEnd: 4, stars: '****', minHidden: 4 },
  id_card: { keepStart: 6, keepEnd: 4, stars: '********', minHidden: 5 },
  bank_card: { keepStart: 6, keepEnd: 4, stars: '******', minHidden: 4 },
  uscc: { keepStart: 8, keepEnd: 0, stars: '**********', minHidden: 10 },
  plate: { keepStart: 2, keepEnd: 0, stars: '*****', minHidden: 1 },
} as const satisfies Record<string, KeepEnds>

/** Code points, so a surrogate pair is never cut in half. */
const chars = (value: string): string[] => Array.from(value)

function keepEnds(rule: KeepEnds): MaskRule {
  return (value) => {
    const c = chars(value)
    if (c.length === 0) return ''
    if (c.length - rule.keepStart - rule.keepEnd < rule.minHidden) return rule.stars
    return c.slice(0, rule.keepStart).join('') + rule.stars + (rule.keepEnd > 0 ? c.slice(-rule.keepEnd).join('') : '')
  }
}

export const maskName: MaskRule = (value) => {
  const c = chars(value.trim())
  if (c.length === 0) return ''
  return c.length === 1 ? '*' : `${c[0]}*`
}

export const maskEmail: MaskRule = (value) => {
  const at = value.lastIndexOf('@')
  if (at <= 0) return value.length === 0 ? '' : '***'
  return `${chars(value)[0]}***${value.slice(at)}`
}

/** Output when an address names no district we can recognise. */
export const ADDRESS_UNKNOWN = '***'

const SHENYANG_DISTRICTS_LONGEST_FIRST = [...DISTRICTS].sort((a, b) => b.zh.length - a.zh.length)
const PROVINCE_AND_CITY = /^(?:辽宁省)?(?:沈阳市)?/
/**
 * Any other address: an optional province and city, then a district-level name
 * (…区/县/旗/市) that contains no street, number or building word, anchored at the
 * start — so the match is always a prefix ending before the street.
 */
const GENERIC_DISTRICT =
  /^(?:[^\s\d路街道号巷弄村组栋楼室层]{1,10}?(?:省|自治区))?(?:[^\s\d路街道号巷弄村组栋楼室层]{1,10}?(?:市|州|盟))?[^\s\d路街道号巷弄村组栋楼室层]{1,10}?(?:区|县|旗|市)/

/** The Shenyang district an address starts with (after an optional 辽宁省/沈阳市), if any. */
export function shenyangDistrictOf(address: string): (typeof DISTRICTS)[number] | undefined {
  const rest = address.trim().replace(PROVINCE_AND_CITY, '')
  return SHENYANG_DISTRICTS_LONGEST_FIRST.find((d) => rest.startsWith(d.zh))
}

export const maskAddress: MaskRule = (value) => {
  const trimmed = value.trim()
  if (trimmed.length === 0) return ''
  const district = shenyangDistrictOf(trimmed)
  if (district) return `沈阳市${district.zh}`
  const generic = GENERIC_DISTRICT.exec(trimmed)
  return generic ? generic[0] : ADDRESS_UNKNOWN
}

export const MASK_RULES: Record<PiTag, MaskRule> = {
  name: maskName,
  phone: keepEnds(KEEP_ENDS_RULES.phone),
  id_card: keepEnds(KEEP_ENDS_RULES.id_card),
  bank_card: keepEnds(KEEP_ENDS_RULES.bank_card),
  address: maskAddress,
  uscc: keepEnds(KEEP_ENDS_RULES.uscc),
  email: maskEmail,
  plate: keepEnds(KEEP_ENDS_RULES.plate),
}
