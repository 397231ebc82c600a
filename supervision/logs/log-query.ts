import { z } from 'zod'
import { parseDay, startOfNextDay } from '#platform/calendar/shanghai-calendar.ts'
import { fail, ok, type Result } from '#platform/result.ts'

/** The logs an auditor and the bureau search (Art. 24; ADR 0026). */
export const LOG_KINDS = ['usage', 'refusals', 'audit', 'loads', 'exports'] as const
export type LogKind = (typeof LOG_KINDS)[number]

export const LOG_FILTERS = ['partner', 'product', 'dataset', 'sourceUnit', 'requestId', 'text'] as const
export type LogFilter = (typeof LOG_FILTERS)[number]

/**
 * Which filters each log can answer. A filter a log does not carry is refused (`not_applicable`), never silently
 * ignored: an auditor who asks for one partner's loads must not read every partner's as the answer. In the audit log,
 * partner, product, dataset and source unit mean the entries about that object.
 */
export const FILTERS_OF_KIND: Readonly<Record<LogKind, readonly LogFilter[]>> = {
  usage: ['partner', 'product', 'dataset', 'sourceUnit', 'requestId'],
  refusals: ['partner', 'requestId', 'text'],
  audit: ['partner', 'product', 'dataset', 'sourceUnit', 'requestId', 'text'],
  loads: ['dataset', 'sourceUnit'],
  exports: ['partner', 'product'],
}

const code = z
  .string()
  .trim()
  .max(64, 'too_long')
  .regex(/^[A-Za-z0-9._-]*$/, 'invalid')
const day = z
  .string()
  .trim()
  .max(10, 'invalid')
  .refine((v) => v === '' || parseDay(v) !== null, 'invalid_date')

/** The search form and the CLI's options, as text: codes of partners, products, datasets and source units. */
export const logQuerySchema = z.object({
  kind: z.enum(LOG_KINDS).default('usage'),
  from: day.default(''),
  to: day.default(''),
  partner: code.default(''),
  product: code.default(''),
  dataset: code.default(''),
  sourceUnit: code.default(''),
  requestId: z
    .string()
    .trim()
    .max(64, 'too_long')
    .regex(/^[A-Za-z0-9_-]*$/, 'invalid')
    .default(''),
  text: z
    .string()
    .trim()
    .max(100, 'too_long')
    .refine((v) => !/[\u0000-\u001F\u007F]/.test(v), 'invalid')
    .default(''),
})
export type LogQueryInput = z.input<typeof logQuerySchema>

/** A validated search: the filters given (empty ones left out) and the time range as [fromMs, toMs). */
export interface LogQuery {
  kind: LogKind
  from: string
  to: string
  fromMs: number | null
  toMs: number | null
  partner: string
  product: string
  dataset: string
  sourceUnit: string
  requestId: string
  text: string
}

/** Reads a search from form or CLI text; the first problem per field, and a filter the log does not carry refused. */
export function parseLogQuery(input: unknown): Result<LogQuery> {
  const parsed = logQuerySchema.safeParse(input ?? {})
  if (!parsed.success) {
    const fields: Record<string, string> = {}
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? 'form')
      fields[key] ??= issue.message.startsWith('Invalid') || issue.message.startsWith('Expected') ? 'invalid' : issue.message
    }
    return fail('validation', 'validation_failed', 'Invalid log search', fields)
  }
  const q = parsed.data
  const fields: Record<string, string> = {}
  for (const filter of LOG_FILTERS) {
    if (q[filter] !== '' && !FILTERS_OF_KIND[q.kind].includes(filter)) fields[filter] = 'not_applicable'
  }
  const fromMs = q.from === '' ? null : parseDay(q.from)
  const toStart = q.to === '' ? null : parseDay(q.to)
  const toMs = toStart === null ? null : startOfNextDay(toStart)
  if (fromMs !== null && toMs !== null && toMs <= fromMs) fields.to = 'range_reversed'
  if (Object.keys(fields).length > 0) return fail('validation', 'validation_failed', 'Invalid log search', fields)
  return ok({ ...q, fromMs, toMs })
}

/** The filters of a search as given (for the audit entry of a read, and links to the next page). */
export function queryParams(q: LogQuery): Record<string, string> {
  const out: Record<string, string> = { kind: q.kind }
  for (const key of ['from', 'to', ...LOG_FILTERS] as const) if (q[key] !== '') out[key] = q[key]
  return out
}

/** Where a page ends: the last row's time and rowid, newest first. Opaque to callers: `<at>.<rowid>` in base 36. */
export interface LogCursor {
  at: number
  rowid: number
}

export function encodeCursor(c: LogCursor): string {
  return `${c.at.toString(36)}.${c.rowid.toString(36)}`
}

export function decodeCursor(text: string | null | undefined): Result<LogCursor | null> {
  if (text === null || text === undefined || text === '') return ok(null)
  const m = /^(-?[0-9a-z]{1,12})\.([0-9a-z]{1,12})$/.exec(text)
  const at = m ? parseInt(m[1]!, 36) : NaN
  const rowid = m ? parseInt(m[2]!, 36) : NaN
  if (!Number.isSafeInteger(at) || !Number.isSafeInteger(rowid) || rowid < 0) {
    return fail('validation', 'invalid_cursor', 'Invalid page cursor', { cursor: 'invalid_cursor' })
  }
  return ok({ at, rowid })
}
