import { addCalendarMonths, fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import type { EvaluationSubjectKind } from '#db/schema/evaluations.ts'

// The rules of an evaluation that need no database (ADR 0034): the period, the scheme's shape, the weighted total and
// what "failing" means.

/** A self-assessment text per criterion: at most this many characters. */
export const SELF_ASSESSMENT_MAX_CHARS = 4000
/** The bureau's comment per criterion and overall. */
export const COMMENT_MAX_CHARS = 2000
/** Evidence: PDF, PNG or JPEG by their first bytes, at most 10 MiB each, at most 20 files per subject. */
export const EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
export const EVIDENCE_MAX_FILES = 20
/** A scheme: 1–12 criteria, weights in whole percent summing to 100, a pass mark of 1–100. */
export const CRITERIA_MAX = 12
/** A failing partner's assessment exit (考核退出) takes effect this many days after its notice. */
export const ASSESSMENT_EXIT_NOTICE_DAYS = 30

export interface Period {
  label: string
  start: number
  end: number
}

/** `2026` (a year) or `2026-Q3` (a quarter), in Asia/Shanghai; null when malformed or out of range. */
export function parseEvaluationPeriod(text: string): Period | null {
  const m = /^(\d{4})(?:-Q([1-4]))?$/.exec(text.trim())
  if (!m) return null
  const year = Number(m[1])
  if (year < 2020 || year > 2100) return null
  if (!m[2]) return { label: String(year), start: fromLocal(year, 1), end: fromLocal(year + 1, 1) }
  const q = Number(m[2])
  const start = fromLocal(year, (q - 1) * 3 + 1)
  return { label: `${year}-Q${q}`, start, end: addCalendarMonths(start, 3) }
}

export interface CriterionInput {
  key: string
  nameZh: string
  nameEn: string
  weight: number
  measures?: string[]
}

const KEY = /^[a-z][a-z0-9_]{0,39}$/

/** Field errors of a scheme (empty when valid). `weights`: they must be whole percent summing to exactly 100. */
export function schemeProblems(
  input: { passMark: unknown; criteria: CriterionInput[] },
  knownMeasures: readonly string[],
): Record<string, string> {
  const fields: Record<string, string> = {}
  const pass = input.passMark
  if (typeof pass !== 'number' || !Number.isInteger(pass) || pass < 1 || pass > 100) fields.passMark = 'invalid'
  const criteria = input.criteria
  if (!Array.isArray(criteria) || criteria.length === 0) {
    fields.criteria = 'required'
    return fields
  }
  if (criteria.length > CRITERIA_MAX) fields.criteria = 'too_many'
  const keys = new Set<string>()
  let sum = 0
  criteria.forEach((c, i) => {
    if (typeof c.key !== 'string' || !KEY.test(c.key)) fields[`criteria.${i}.key`] = 'invalid'
    else if (keys.has(c.key)) fields[`criteria.${i}.key`] = 'duplicate'
    else keys.add(c.key)
    for (const name of ['nameZh', 'nameEn'] as const) {
      const v = typeof c[name] === 'string' ? c[name].trim() : ''
      if (!v) fields[`criteria.${i}.${name}`] = 'required'
      else if (v.length > 100) fields[`criteria.${i}.${name}`] = 'too_long'
    }
    if (!Number.isInteger(c.weight) || c.weight < 1 || c.weight > 100) fields[`criteria.${i}.weight`] = 'invalid'
    else sum += c.weight
    for (const m of c.measures ?? []) if (!knownMeasures.includes(m)) fields[`criteria.${i}.measures`] = 'unknown_measure'
  })
  if (!Object.keys(fields).some((k) => k.endsWith('.weight')) && sum !== 100) fields.weights = 'weights_not_100'
  return fields
}

/** A bureau's score of one criterion: a whole number of points 0–100. */
export const isScore = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 100

/**
 * The weighted total in hundredths of a point: Σ weightᵢ × scoreᵢ (weights in percent, scores 0–100), exact in integers
 * (at most 100 × 100 = 10,000 = 100.00 points). Null while any criterion is unscored.
 */
export function weightedTotalHundredths(
  criteria: readonly { key: string; weight: number }[],
  scores: Readonly<Record<string, number | null | undefined>>,
): number | null {
  let total = 0
  for (const c of criteria) {
    const s = scores[c.key]
    if (!isScore(s)) return null
    total += c.weight * s
  }
  return total
}

/** Failing means a weighted total below the scheme's pass mark (the pass mark itself passes). */
export const isPassing = (totalHundredths: number, passMark: number): boolean => totalHundredths >= passMark * 100

/** 82.5 → "82.50". */
export const formatPoints = (hundredths: number): string =>
  `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`

/** Who may self-assess: source units and the operator (Art. 18); partners are assessed under their agreements. */
export const SELF_ASSESSING_KINDS: readonly EvaluationSubjectKind[] = ['source_unit', 'operator']
