import { randomUUID } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { creditNotes, invoices, partners } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { calendarYear } from '#platform/calendar/shanghai-calendar.ts'
import { INVOICE_NUMBER_PREFIX } from './finalize-invoice.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/**
 * Voids a finalized invoice by a credit note (红字发票) for its full amount, numbered gap-free per year
 * (SYGD-CN-2026-000001). The invoice itself is never edited beyond its state; a voided invoice stays on record.
 */
export async function issueCreditNote(
  db: Db,
  opts: { invoiceId: string; reason: string; actor: Actor; requestId?: string | null; now?: number },
): Promise<Result<{ id: string; number: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'invoice.credit')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const reason = opts.reason.trim()
  if (reason.length < 2 || reason.length > 500)
    return fail('validation', 'validation_failed', 'Give the reason (2–500 characters)', { reason: 'required' })
  const [invoice] = await db
    .select({
      id: invoices.id,
      state: invoices.state,
      number: invoices.number,
      subtotalFen: invoices.subtotalFen,
      vatFen: invoices.vatFen,
      totalFen: invoices.totalFen,
      partnerCode: partners.code,
    })
    .from(invoices)
    .innerJoin(partners, eq(partners.id, invoices.partnerId))
    .where(eq(invoices.id, opts.invoiceId))
  if (!invoice) return fail('not_found', 'invoice_not_found', 'No such invoice')
  if (invoice.state === 'draft')
    return fail('conflict', 'invoice_not_finalized', 'A draft has no number to credit; finalize it first')
  if (invoice.state === 'voided')
    return fail('conflict', 'invoice_already_voided', 'The invoice was already voided by a credit note')

  const id = randomUUID()
  const year = calendarYear(now)
  const nextSeq = sql`(SELECT coalesce(max(c2.number_seq), 0) + 1 FROM credit_notes AS c2 WHERE c2.number_year = ${year})`
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'invoice.credit',
      objectType: 'invoice',
      objectId: invoice.id,
      requestId: opts.requestId,
      detail: { invoice: invoice.number, partner: invoice.partnerCode, totalFen: invoice.totalFen, reason },
    },
    [
      db.insert(creditNotes).values({
        id,
        invoiceId: invoice.id,
        numberYear: year,
        numberSeq: nextSeq,
        number: sql`printf('${sql.raw(INVOICE_NUMBER_PREFIX)}-CN-%04d-%06d', ${year}, ${nextSeq})`,
        reason,
        subtotalFen: invoice.subtotalFen,
        vatFen: invoice.vatFen,
        totalFen: invoice.totalFen,
        createdByUserId: opts.actor.id,
        createdAt: now,
      }),
      db
        .update(invoices)
        .set({ state: 'voided', voidedAt: now })
        .where(and(eq(invoices.id, invoice.id), eq(invoices.state, 'finalized'))),
    ],
  )
  const [note] = await db.select({ number: creditNotes.number }).from(creditNotes).where(eq(creditNotes.id, id))
  return ok({ id, number: note!.number })
}
