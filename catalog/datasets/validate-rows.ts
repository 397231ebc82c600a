import { OFFSET_SECONDS, parseDay } from '#platform/calendar/shanghai-calendar.ts'
import type { PiTag } from '#db/schema/catalog.ts'

// Row validation against a dataset's field list (Art. 16 intake). Pure: the
// loaders decide what a bad row means (the whole file is rejected).

export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'datetime'

export interface FieldSpec {
  name: string
  type: FieldType
  required: boolean
  /** The registration's personal-data tag: a tagged field may be stored sealed (seal-store-row.ts). */
  piTag?: PiTag | null
}

export type RowProblemCode =
  | 'not_an_object'
  | 'required'
  | 'unknown_field'
  | 'not_string'
  | 'not_integer'
  | 'not_number'
  | 'not_boolean'
  | 'not_date'
  | 'not_datetime'
  // Found while reading the file, before the field checks:
  | 'duplicate_key'
  | 'field_count'
  | 'too_deep'
  | 'too_large'

export interface RowProblem {
  /** 1-based data row (a CSV's header line is not counted). */
  row: number
  field: string
  problem: RowProblemCode
  /** The offending value, shortened. */
  value?: string
}

export interface ValidationResult {
  /** Normalised rows (only when there was no problem). */
  rows: Record<string, unknown>[]
  /** At most `maxProblems` problems, in row order. */
  problems: RowProblem[]
  problemCount: number
  badRows: number
}

const INTEGER_RE = /^[+-]?\d+$/
const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/
const DATETIME_RE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/

const isMissing = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '')

const show = (v: unknown) => {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v))
  return s.length > 60 ? `${s.slice(0, 57)}...` : s
}

type Normalised = { ok: true; value: unknown } | { ok: false; problem: RowProblemCode }

/** Converts one present value to its field type; datetimes become epoch ms, dates 'YYYY-MM-DD'. */
export function normaliseValue(type: FieldType, value: unknown): Normalised {
  const text = typeof value === 'string' ? value.trim() : null
  switch (type) {
    case 'string':
      if (typeof value === 'string') return { ok: true, value }
      if (typeof value === 'number' || typeof value === 'boolean') return { ok: true, value: String(value) }
      return { ok: false, problem: 'not_string' }
    case 'integer': {
      if (typeof value === 'number' && Number.isSafeInteger(value)) return { ok: true, value }
      if (text !== null && INTEGER_RE.test(text) && Number.isSafeInteger(Number(text))) return { ok: true, value: Number(text) }
      return { ok: false, problem: 'not_integer' }
    }
    case 'number': {
      if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value }
      if (text !== null && NUMBER_RE.test(text) && Number.isFinite(Number(text))) return { ok: true, value: Number(text) }
      return { ok: false, problem: 'not_number' }
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value }
      const t = text?.toLowerCase()
      if (t === 'true' || t === '1') return { ok: true, value: true }
      if (t === 'false' || t === '0') return { ok: true, value: false }
      return { ok: false, problem: 'not_boolean' }
    }
    case 'date':
      return text !== null && parseDay(text) !== null ? { ok: true, value: text } : { ok: false, problem: 'not_date' }
    case 'datetime': {
      if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return { ok: true, value }
      if (text !== null && INTEGER_RE.test(text) && !text.startsWith('-')) {
        const n = Number(text)
        if (Number.isSafeInteger(n)) return { ok: true, value: n }
      }
      const ms = text === null ? null : parseDatetime(text)
      return ms === null ? { ok: false, problem: 'not_datetime' } : { ok: true, value: ms }
    }
  }
}

/** ISO 8601 date and time; without an offset it is Asia/Shanghai local time. */
function parseDatetime(text: string): number | null {
  const m = DATETIME_RE.exec(text)
  if (!m) return null
  const midnight = parseDay(m[1]!)
  const [h, mi, s] = [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)]
  if (midnight === null || h > 23 || mi > 59 || s > 59) return null
  const ms = Number((m[5] ?? '').padEnd(3, '0'))
  const local = midnight + ((h * 60 + mi) * 60 + s) * 1000 + ms // as Shanghai time
  const zone = m[6]
  if (!zone) return local
  // The same wall-clock time read at the zone's offset instead of Shanghai's.
  const shanghaiOffsetMs = OFFSET_SECONDS * 1000
  if (zone === 'Z') return local + shanghaiOffsetMs
  const sign = zone.startsWith('-') ? -1 : 1
  const digits = zone.slice(1).replace(':', '')
  const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))
  if (offsetMin > 14 * 60) return null
  return local + shanghaiOffsetMs - sign * offsetMin * 60_000
}

/** A problem found while reading a row, before its fields are checked (a repeated key, a short CSV line). */
export interface ReadProblem {
  field: string
  problem: RowProblemCode
  value?: string
}

/**
 * Checks rows one at a time against the fields (type, required; unknown keys
 * are problems too) and normalises the values, counting problems across the
 * file. Rows are objects keyed by field name; only own keys count, so a
 * `constructor` field is never read off Object.prototype.
 */
export class RowValidator {
  readonly problems: RowProblem[] = []
  problemCount = 0
  badRows = 0
  rows = 0
  readonly #fields: readonly FieldSpec[]
  readonly #byName: Map<string, FieldSpec>
  readonly #maxProblems: number

  constructor(fields: readonly FieldSpec[], opts: { maxProblems?: number } = {}) {
    this.#fields = fields
    this.#byName = new Map(fields.map((f) => [f.name, f]))
    this.#maxProblems = opts.maxProblems ?? 1000
  }

  report(p: RowProblem) {
    this.problemCount++
    if (this.problems.length < this.#maxProblems) this.problems.push(p)
  }

  /** The normalised row (keys in field order), or null when the row has a problem. */
  check(raw: unknown, readProblems: readonly ReadProblem[] = []): Record<string, unknown> | null {
    const row = ++this.rows
    if (readProblems.length > 0) {
      this.badRows++
      for (const p of readProblems) this.report({ row, ...p })
      return null
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      this.badRows++
      this.report({ row, field: '', problem: 'not_an_object', value: show(raw) })
      return null
    }
    const record = raw as Record<string, unknown>
    const out: Record<string, unknown> = {}
    let bad = false
    for (const key of Object.keys(record)) {
      if (!this.#byName.has(key)) {
        bad = true
        this.report({ row, field: key, problem: 'unknown_field' })
      }
    }
    for (const field of this.#fields) {
      const value = Object.hasOwn(record, field.name) ? record[field.name] : undefined
      if (isMissing(value)) {
        if (field.required) {
          bad = true
          this.report({ row, field: field.name, problem: 'required' })
        } else out[field.name] = null
        continue
      }
      const normalised = normaliseValue(field.type, value)
      if (normalised.ok) out[field.name] = normalised.value
      else {
        bad = true
        this.report({ row, field: field.name, problem: normalised.problem, value: show(value) })
      }
    }
    if (!bad) return out
    this.badRows++
    return null
  }
}

/**
 * Checks every row against the fields (type, required; unknown keys are
 * problems too) and normalises the values. Rows are objects keyed by field name.
 */
export function validateRows(
  input: readonly unknown[],
  fields: readonly FieldSpec[],
  opts: { maxProblems?: number } = {},
): ValidationResult {
  const validator = new RowValidator(fields, opts)
  const rows: Record<string, unknown>[] = []
  for (const raw of input) {
    const out = validator.check(raw)
    if (out && validator.badRows === 0) rows.push(out)
  }
  return {
    rows: validator.badRows === 0 ? rows : [],
    problems: validator.problems,
    problemCount: validator.problemCount,
    badRows: validator.badRows,
  }
}
