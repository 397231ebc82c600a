import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { invoices, partners } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { calendarYear } from '#platform/calendar/shanghai-calendar.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

export const INVOICE_NUMBER_PREFIX = 'SYGD'

/**
 * Finalizes a draft invoice: it becomes immutable and gets its number, gap-free per calendar year of issue
 * (SYGD-2026-000001, ...). The number is assigned by the UPDATE itself (max + 1 of the year, in the same statement), so
 * two finalizations can never take the same number nor leave a gap; the unique index is the last guard.
 */
export async function finalizeInvoice(
  db: Db,
  opts: { invoiceId: string; actor: Actor; requestId?: string | null; now?: number },
): Promise<Result<{ id: string; number: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'invoice.finalize')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const [invoice] = await db
    .select({
      id: invoices.id,
      state: invoices.state,
      period: invoices.period,
      totalFen: invoices.totalFen,
      partnerCode: partners.code,
    })
    .from(invoices)
    .innerJoin(partners, eq(partners.id, invoices.partnerId))
    .where(eq(invoices.id, opts.invoiceId))
  if (!invoice) return fail('not_found', 'invoice_not_found', 'No such invoice')
  if (invoice.state !== 'draft')
    return fail('conflict', 'invoice_not_draft', `The invoice is ${invoice.state}; only a draft can be finalized`)
  const year = calendarYear(now)
  const nextSeq = sql`(SELECT coalesce(max(i2.number_seq), 0) + 1 FROM invoices AS i2 WHERE i2.number_year = ${year})`
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'invoice.finalize',
      objectType: 'invoice',
      objectId: invoice.id,
      requestId: opts.requestId,
      detail: { partner: invoice.partnerCode, period: invoice.period, totalFen: invoice.totalFen, year },
    },
    [
      db
        .update(invoices)
        .set({
          state: 'finalized',
          numberYear: year,
          numberSeq: nextSeq,
          number: sql`printf('${sql.raw(INVOICE_NUMBER_PREFIX)}-%04d-%06d', ${year}, ${nextSeq})`,
          finalizedAt: now,
          finalizedByUserId: opts.actor.id,
        })
        .where(and(eq(invoices.id, invoice.id), eq(invoices.state, 'draft'))),
    ],
  )
  const [done] = await db
    .select({ number: invoices.number, state: invoices.state })
    .from(invoices)
    .where(eq(invoices.id, invoice.id))
  if (done?.state !== 'finalized' || !done.number)
    return fail('conflict', 'invoice_not_draft', 'The invoice was finalized or voided meanwhile')
  return ok({ id: invoice.id, number: done.number })
}
