import { sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { errorText } from '#platform/error-text.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { keepMonthsOf } from './list-retention-policies.ts'
import { LOG_KINDS, tablesOfKind, type LogKind } from './log-tables.ts'
import { keepFrom } from './retention-horizon.ts'

export interface PurgeLogsResult {
  kind: LogKind
  keepMonths: number
  /** Rows anchored before this Shanghai midnight were (or, dry run, would be) deleted. */
  purgeBefore: number
  dryRun: boolean
  tables: { table: string; rows: number }[]
  rows: number
}

/** Rows per transaction: a purge never holds the write lock long enough to stall the gateway's group commit. */
const DEFAULT_BATCH = 5000

/**
 * Deletes the logs of one kind that are past both the legal minimum (6 calendar months after the later of the event
 * and the end of its agreement or authorization) and the bureau's policy for the kind (ADR 0027). Without a policy
 * nothing is deleted. Each batch commits with its audit entry; the retention triggers re-check every row, with the
 * purge's `now` set as their clock inside the same transaction (never later than the real time), so a row that a
 * later authorization end now keeps stops the batch instead of going. `dryRun` counts and changes nothing.
 */
export async function purgeLogs(
  db: Db,
  opts: { kind: string; actor: Actor; dryRun?: boolean; now?: number; batchSize?: number },
): Promise<Result<PurgeLogsResult>> {
  const refused = refuseUnlessPermitted(opts.actor, 'logs.purge')
  if (refused) return refused
  if (!(LOG_KINDS as readonly string[]).includes(opts.kind))
    return fail('validation', 'unknown_log_kind', `No log kind ${opts.kind}`, { kind: 'unknown_log_kind' })
  const kind = opts.kind as LogKind
  const keepMonths = await keepMonthsOf(db, kind)
  if (keepMonths === null)
    return fail('conflict', 'no_retention_policy', `The bureau has set no retention policy for ${kind} logs`)
  // The triggers refuse a clock ahead of the database's time: stay a second behind the real time.
  const now = Math.min(opts.now ?? Date.now(), Date.now() - 1000)
  const purgeBefore = keepFrom(now, keepMonths)
  const batch = Math.max(1, Math.min(opts.batchSize ?? DEFAULT_BATCH, 50_000))
  const dryRun = opts.dryRun === true
  const tables: { table: string; rows: number }[] = []
  for (const table of tablesOfKind(kind)) {
    const view = sql.identifier(`log_retention_${table}`)
    // `at` ≤ `anchor`: the time bound lets the index narrow the scan; the anchor decides.
    const due = sql`${view}.at < ${purgeBefore} AND ${view}.anchor < ${purgeBefore}`
    if (dryRun) {
      const [row] = await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM ${view} WHERE ${due}`)
      tables.push({ table, rows: row?.n ?? 0 })
      continue
    }
    let rows = 0
    for (;;) {
      const ids = (
        await db.all<{ id: number; at: number }>(
          sql`SELECT row_id AS id, at FROM ${view} WHERE ${due} ORDER BY at LIMIT ${batch}`,
        )
      ).map((r) => r.id)
      if (ids.length === 0) break
      try {
        await recordAudit(
          db,
          {
            actor: opts.actor,
            action: 'logs.purge',
            objectType: 'log_table',
            objectId: table,
            detail: { kind, table, rows: ids.length, keepMonths, before: formatDay(purgeBefore) },
          },
          [
            db.run(sql`INSERT OR REPLACE INTO retention_clock (id, now_ms) VALUES (1, ${now})`),
            db.run(
              sql`DELETE FROM ${sql.identifier(table)} WHERE rowid IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
            ),
            db.run(sql`DELETE FROM retention_clock`),
          ],
        )
      } catch (error) {
        if (!errorText(error).includes('log_retention')) throw error
        return fail('conflict', 'retention_changed', `A ${table} row became kept while purging; run the purge again`)
      }
      rows += ids.length
      if (ids.length < batch) break
    }
    tables.push({ table, rows })
  }
  const total = tables.reduce((n, t) => n + t.rows, 0)
  if (!dryRun)
    await recordAudit(db, {
      actor: opts.actor,
      action: 'logs.purge.done',
      objectType: 'log_kind',
      objectId: kind,
      detail: { kind, keepMonths, before: formatDay(purgeBefore), rows: total, tables },
    })
  return ok({ kind, keepMonths, purgeBefore, dryRun, tables, rows: total })
}
