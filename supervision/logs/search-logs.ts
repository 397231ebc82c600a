import type { Db } from '#db/client.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { ok, type Result } from '#platform/result.ts'
import { decodeCursor, encodeCursor, parseLogQuery, queryParams, type LogQuery } from './log-query.ts'
import { loadLogLabels, readLogPage, type LogLang, type LogRow } from './read-log-page.ts'

export const LOG_PAGE_SIZE = 50
const MAX_PAGE_SIZE = 500

export interface LogPage {
  query: LogQuery
  rows: LogRow[]
  /** The cursor of the next page, or null on the last one. */
  nextCursor: string | null
  /** Whether this page continues an earlier one. */
  continued: boolean
}

/**
 * One page of one log for the auditor and the bureau (Art. 24; ADR 0026): newest first, keyset-paged, names instead
 * of keys. The read itself is audited — who searched which log with which filters (never the rows it saw) — in the
 * same call, so a read without its audit entry cannot happen.
 */
export async function searchLogs(
  db: Db,
  opts: { actor: Actor; input: unknown; cursor?: string | null; limit?: number; lang?: LogLang; requestId?: string | null },
): Promise<Result<LogPage>> {
  const refused = refuseUnlessPermitted(opts.actor, 'logs.search')
  if (refused) return refused
  const query = parseLogQuery(opts.input)
  if (!query.ok) return query
  const cursor = decodeCursor(opts.cursor)
  if (!cursor.ok) return cursor
  const limit = Math.min(Math.max(1, Math.trunc(opts.limit ?? LOG_PAGE_SIZE)), MAX_PAGE_SIZE)
  const labels = await loadLogLabels(db, opts.lang ?? 'zh')
  const page = await readLogPage(db, { query: query.value, cursor: cursor.value, limit, labels })
  if (!page.ok) return page
  await recordAudit(db, {
    actor: opts.actor,
    action: 'logs.search',
    objectType: 'log',
    objectId: query.value.kind,
    requestId: opts.requestId,
    detail: { filters: queryParams(query.value), page: cursor.value ? 'next' : 'first', rows: page.value.rows.length },
  })
  return ok({
    query: query.value,
    rows: page.value.rows,
    nextCursor: page.value.next ? encodeCursor(page.value.next) : null,
    continued: cursor.value !== null,
  })
}
