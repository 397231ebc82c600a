// Address standardisation over the Shenyang reference data (platform/reference-data/shenyang.ts: GB/T 2260 districts and their
// streets). Pure: no database.

import { DISTRICTS, type District } from '#platform/reference-data/shenyang.ts'

export interface StandardizedAddress {
  standardized: string | null
  district: District | null
  street: string | null
  houseNumber: string | null
  matchedBy: 'district' | 'street' | 'none'
  candidates: District[]
}

/** The district names people drop the suffix of: 和平 for 和平区, 沈北 for 沈北新区, 新民 for 新民市. */
const SHORT_NAME = (d: District) => d.zh.replace(/(新区|区|县|市)$/, '')

const byLengthDesc = <T>(items: readonly T[], key: (t: T) => string) => [...items].sort((a, b) => key(b).length - key(a).length)
const DISTRICTS_BY_NAME = byLengthDesc(DISTRICTS, (d) => d.zh)
const DISTRICTS_BY_SHORT_NAME = byLengthDesc(DISTRICTS, SHORT_NAME)
const ALL_STREETS = byLengthDesc([...new Set(DISTRICTS.flatMap((d) => d.roads))], (s) => s)

/** Full-width digits and spaces to ASCII, whitespace removed, the province and city dropped. */
export function normalizeAddress(input: string): string {
  return input
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/^(辽宁省|辽宁)/, '')
    .replace(/^(沈阳市|沈阳)/, '')
}

function findDistrict(rest: string): { district: District; after: string } | null {
  for (const d of DISTRICTS_BY_NAME) if (rest.startsWith(d.zh)) return { district: d, after: rest.slice(d.zh.length) }
  // A short name only when it does not begin a street name (和平大街 is a street, 和平 alone the district).
  for (const d of DISTRICTS_BY_SHORT_NAME) {
    const short = SHORT_NAME(d)
    if (rest.startsWith(short) && !ALL_STREETS.some((s) => rest.startsWith(s)))
      return { district: d, after: rest.slice(short.length) }
  }
  return null
}

function findStreet(text: string, streets: readonly string[]): { street: string; after: string; before: string } | null {
  let best: { street: string; at: number } | null = null
  for (const s of streets) {
    const at = text.indexOf(s)
    if (at >= 0 && (best === null || at < best.at || (at === best.at && s.length > best.street.length))) best = { street: s, at }
  }
  return best && { street: best.street, before: text.slice(0, best.at), after: text.slice(best.at + best.street.length) }
}

export function standardizeShenyangAddress(input: string): StandardizedAddress {
  const rest = normalizeAddress(input)
  const named = findDistrict(rest)
  let district = named?.district ?? null
  let matchedBy: StandardizedAddress['matchedBy'] = named ? 'district' : 'none'
  let candidates: District[] = []
  const text = named ? named.after : rest

  const found = findStreet(text, district ? byLengthDesc(district.roads, (s) => s) : ALL_STREETS)
  if (!district && found) {
    const having = DISTRICTS.filter((d) => d.roads.includes(found!.street))
    if (having.length === 1) {
      district = having[0]!
      matchedBy = 'street'
    } else {
      candidates = having
    }
  }
  let houseNumber: string | null = null
  let tail = found ? found.after : text
  if (found) {
    const number = /^(\d+)号?/.exec(found.after)
    if (number) {
      houseNumber = number[1]!
      tail = found.after.slice(number[0].length)
    }
  }
  const standardized = district
    ? `沈阳市${district.zh}${found ? `${found.before}${found.street}${houseNumber ? `${houseNumber}号` : ''}` : ''}${tail}`
    : null
  return { standardized, district, street: found?.street ?? null, houseNumber, matchedBy, candidates }
}
