import { randomUUID } from 'node:crypto'
import { and, eq, isNull } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '#db/client.ts'
import { revenueCapAlerts } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { assertPermitted } from '#platform/identity/permissions.ts'
import { calendarYear } from '#platform/calendar/shanghai-calendar.ts'
import { notificationStatements } from '#supervision/inbox/notification-statements.ts'
import { formatFenText } from '../money/format.ts'
import { CAP_THRESHOLDS } from './cap-arithmetic.ts'
import { getRevenueCap } from './get-revenue-cap.ts'

export interface CapWatchResult {
  /** Thresholds newly crossed (and told), as "year:threshold". */
  crossed: string[]
  /** Open alerts cleared because the use fell back below. */
  cleared: string[]
}

/**
 * ADR 0036: tells the operator and the bureau once per crossing of 80% and of 100% of a year's maximum allowed
 * revenue (this year and last year, whose invoices are still being paid early in the year). The open alert row is the
 * "told" mark: a partial unique index keeps one per year and threshold, so two processes running this at once tell
 * once (the loser's batch fails on the index and is dropped). When the use falls back below, the alert is cleared and
 * a later crossing is told again. Idempotent: safe hourly and after every payment.
 */
export async function watchRevenueCap(db: Db, opts: { now: number; actor: Actor }): Promise<CapWatchResult> {
  assertPermitted(opts.actor, 'revenue_cap.watch')
  const current = calendarYear(opts.now)
  const years = (await getRevenueCap(db, { now: opts.now, toYear: current })).filter((y) => y.year >= current - 1)
  const open = await db.select().from(revenueCapAlerts).where(isNull(revenueCapAlerts.clearedAt))
  const result: CapWatchResult = { crossed: [], cleared: [] }
  for (const y of years) {
    for (const threshold of CAP_THRESHOLDS) {
      const isReached = y.reached !== null && y.reached >= threshold
      const alert = open.find((a) => a.year === y.year && a.threshold === threshold)
      if (isReached && !alert) {
        const kind = threshold === 100 ? 'revenue_cap_100' : 'revenue_cap_80'
        const params = {
          year: String(y.year),
          used: y.usedShare === null ? '—' : `${(Number(y.usedShare) * 100).toFixed(1)}%`,
          paid: formatFenText(y.paidRevenueFen),
          maximum: formatFenText(y.maximumFen),
        }
        const changes: BatchItem<'sqlite'>[] = [
          db.insert(revenueCapAlerts).values({
            id: randomUUID(),
            year: y.year,
            threshold,
            usedShare: y.usedShare ?? '1',
            crossedAt: opts.now,
          }),
          ...(await notificationStatements(db, {
            audiences: [{ kind: 'operator' }, { kind: 'bureau' }],
            kind,
            params,
            now: opts.now,
          })),
        ]
        const told = await recordAudit(
          db,
          {
            actor: opts.actor,
            action: 'billing.revenue_cap_threshold_crossed',
            objectType: 'revenue_cap',
            objectId: String(y.year),
            detail: { year: y.year, threshold, usedShare: y.usedShare, paidFen: y.paidRevenueFen, maximumFen: y.maximumFen },
          },
          changes,
        ).then(
          () => true,
          (error: unknown) => {
            // Another process told it first (the open-alert index): nothing to do.
            if (String(error).includes('UNIQUE')) return false
            throw error
          },
        )
        if (told) result.crossed.push(`${y.year}:${threshold}`)
      } else if (!isReached && alert) {
        await recordAudit(
          db,
          {
            actor: opts.actor,
            action: 'billing.revenue_cap_threshold_cleared',
            objectType: 'revenue_cap',
            objectId: String(y.year),
            detail: { year: y.year, threshold, usedShare: y.usedShare },
          },
          [
            db
              .update(revenueCapAlerts)
              .set({ clearedAt: opts.now })
              .where(and(eq(revenueCapAlerts.id, alert.id), isNull(revenueCapAlerts.clearedAt))),
          ],
        )
        result.cleared.push(`${y.year}:${threshold}`)
      }
    }
  }
  return result
}
