import type { Db } from '#db/client.ts'
import { ceilingReminders } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { assertPermitted } from '#platform/identity/permissions.ts'
import { DAY_MS, formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { notificationStatements } from '#supervision/inbox/notification-statements.ts'
import { listPriceCeilings } from './list-price-ceilings.ts'

/** How long before its re-evaluation date the bureau is first reminded of a ceiling. */
export const REEVALUATION_NOTICE_DAYS = 30

/**
 * ADR 0036: the bureau is reminded of each ceiling in force whose re-evaluation date approaches (30 days before) and
 * again when it has come. One reminder per ceiling version and stage (the `ceiling_reminders` primary key; a second
 * process's batch fails on it and is dropped); a new ceiling version (the re-evaluation's outcome) starts afresh.
 */
export async function remindCeilingReevaluations(db: Db, opts: { now: number; actor: Actor }): Promise<{ sent: string[] }> {
  assertPermitted(opts.actor, 'price_ceiling.remind')
  const inForce = (await listPriceCeilings(db, { at: opts.now })).filter((c) => c.status === 'in_force' && c.reevaluateBy)
  const sentRows = await db.select().from(ceilingReminders)
  const sent = new Set(sentRows.map((r) => `${r.ceilingId}|${r.stage}`))
  const out: string[] = []
  for (const c of inForce) {
    const due = c.reevaluateBy!
    const stage = opts.now >= due ? 'due' : opts.now >= due - REEVALUATION_NOTICE_DAYS * DAY_MS ? 'approaching' : null
    if (!stage || sent.has(`${c.id}|${stage}`)) continue
    const changes = [
      db.insert(ceilingReminders).values({ ceilingId: c.id, stage, sentAt: opts.now }),
      // A ceiling first seen when already due also counts as reminded before (never an "approaching" after "due").
      ...(stage === 'due'
        ? [db.insert(ceilingReminders).values({ ceilingId: c.id, stage: 'approaching', sentAt: opts.now }).onConflictDoNothing()]
        : []),
      ...(await notificationStatements(db, {
        audiences: [{ kind: 'bureau' }],
        kind: stage === 'due' ? 'ceiling_reevaluation_due' : 'ceiling_reevaluation_approaching',
        params: { product: c.productCode, unit: c.chargeUnit, date: formatDay(due) },
        now: opts.now,
      })),
    ]
    const ok = await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'price_ceiling.reevaluation_reminded',
        objectType: 'price_ceiling',
        objectId: c.id,
        detail: { product: c.productCode, chargeUnit: c.chargeUnit, stage, reevaluateBy: due },
      },
      changes,
    ).then(
      () => true,
      (error: unknown) => {
        if (String(error).includes('UNIQUE') || String(error).includes('PRIMARY')) return false
        throw error
      },
    )
    if (ok) out.push(`${c.productCode}:${c.chargeUnit}:${stage}`)
  }
  return { sent: out }
}
