import type { Db } from '#db/client.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { csvRow } from '#platform/csv/csv-cell.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { parseLogQuery, queryParams, type LogCursor, type LogQuery } from './log-query.ts'
import { LOG_COLUMNS, loadLogLabels, readLogPage, type LogLang, type LogRow } from './read-log-page.ts'

export const LOG_EXPORT_FORMATS = ['csv', 'ndjson'] as const
export type LogExportFormat = (typeof LOG_EXPORT_FORMATS)[number]

/** The CSV header: the row's fields in snake_case. */
export const LOG_CSV_HEADER = LOG_COLUMNS.map((c) => c.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`))

const BOM = '\uFEFF'
export const EXPORT_PAGE_SIZE = 1000

export interface LogExport {
  query: LogQuery
  filename: string
  contentType: string
  stream: ReadableStream<Uint8Array>
}

function line(format: LogExportFormat, row: LogRow): string {
  if (format === 'ndjson') {
    const { cursor: _cursor, ...rest } = row
    return JSON.stringify(rest) + '\n'
  }
  return csvRow(LOG_COLUMNS.map((c) => row[c])) + '\r\n'
}

/**
 * Every row of one log matching a search, as CSV (formula-safe cells, platform/csv/csv-cell.ts) or NDJSON (one JSON
 * object a line), streamed: one keyset page of 1,000 rows is read each time the consumer asks for more (`pull`, with a
 * queue of one chunk), so a million rows never sit in memory and a slow reader slows the reads. The export is audited
 * once, with its filters, before the first byte; a failure mid-stream errors the stream (the download breaks off
 * rather than ending as if complete).
 */
export async function exportLogs(
  db: Db,
  opts: {
    actor: Actor
    input: unknown
    format?: LogExportFormat
    lang?: LogLang
    requestId?: string | null
    now?: number
    pageSize?: number
    /** Called after each page read (tests observe that reading follows consumption). */
    onPage?: (pagesRead: number) => void
    /** Resolves when the consumer can take more (an HTTP response's drain): awaited before each page is read. */
    beforePage?: () => Promise<void>
    /** The client went away: stop reading. */
    signal?: AbortSignal
  },
): Promise<Result<LogExport>> {
  const refused = refuseUnlessPermitted(opts.actor, 'logs.export')
  if (refused) return refused
  const format = opts.format ?? 'csv'
  if (!LOG_EXPORT_FORMATS.includes(format))
    return fail('validation', 'validation_failed', 'Unknown format', { format: 'invalid' })
  const parsed = parseLogQuery(opts.input)
  if (!parsed.ok) return parsed
  const query = parsed.value
  const labels = await loadLogLabels(db, opts.lang ?? 'zh')
  // Validate the codes before answering: a first page of zero rows, not an error in the middle of a download.
  const probe = await readLogPage(db, { query, cursor: null, limit: 1, labels })
  if (!probe.ok) return probe
  await recordAudit(db, {
    actor: opts.actor,
    action: 'logs.export',
    objectType: 'log',
    objectId: query.kind,
    requestId: opts.requestId,
    detail: { filters: queryParams(query), format },
  })
  const encoder = new TextEncoder()
  const pageSize = opts.pageSize ?? EXPORT_PAGE_SIZE
  let cursor: LogCursor | null = null
  let started = false
  let done = false
  let pages = 0
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true
          if (format === 'csv') {
            controller.enqueue(encoder.encode(BOM + csvRow(LOG_CSV_HEADER) + '\r\n'))
            return
          }
        }
        if (done) {
          controller.close()
          return
        }
        await opts.beforePage?.()
        if (opts.signal?.aborted) {
          controller.error(new Error('The client went away'))
          return
        }
        const page = await readLogPage(db, { query, cursor, limit: pageSize, labels })
        pages++
        opts.onPage?.(pages)
        if (!page.ok) {
          controller.error(new Error(page.error.message))
          return
        }
        cursor = page.value.next
        if (cursor === null) done = true
        if (page.value.rows.length > 0) controller.enqueue(encoder.encode(page.value.rows.map((r) => line(format, r)).join('')))
        else controller.close()
      },
    },
    { highWaterMark: 1 },
  )
  const day = formatDay(opts.now ?? Date.now())
  return ok({
    query,
    filename: `logs-${query.kind}-${day}.${format === 'csv' ? 'csv' : 'ndjson'}`,
    contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    stream,
  })
}
