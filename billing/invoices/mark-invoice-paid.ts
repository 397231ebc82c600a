import { and, eq, isNull } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { invoices } from '#db/schema/index.ts'
import { recordAudit, systemActor, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { watchRevenueCap } from '../revenue/watch-revenue-cap.ts'

/** Records the payment of a finalized invoice (once): paid revenue is what the maximum allowed revenue tracks. */
export async function markInvoicePaid(
  db: Db,
  opts: { invoiceId?: string; number?: string; paidAt: number; actor: Actor; requestId?: string | null; now?: number },
): Promise<Result<{ id: string; paidAt: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'invoice.mark_paid')
  if (denied) return denied
  const [invoice] = await db
    .select({
      id: invoices.id,
      state: invoices.state,
      number: invoices.number,
      paidAt: invoices.paidAt,
      totalFen: invoices.totalFen,
    })
    .from(invoices)
    .where(opts.number ? eq(invoices.number, opts.number) : eq(invoices.id, opts.invoiceId ?? ''))
  if (!invoice) return fail('not_found', 'not_found', 'No such invoice')
  if (invoice.state !== 'finalized') return fail('conflict', 'invoice_not_finalized', 'Only a finalized invoice can be paid')
  if (invoice.paidAt !== null) return ok({ id: invoice.id, paidAt: invoice.paidAt })
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'billing.invoice_paid',
      objectType: 'invoice',
      objectId: invoice.id,
      requestId: opts.requestId,
      detail: { number: invoice.number, totalFen: invoice.totalFen, paidAt: opts.paidAt },
    },
    [
      db
        .update(invoices)
        .set({ paidAt: opts.paidAt })
        .where(and(eq(invoices.id, invoice.id), isNull(invoices.paidAt))),
    ],
  )
  // A payment is what moves the cap's use: the 80% / 100% warnings go out now, not at the next hourly run (ADR 0036).
  // The payment stands whatever happens to the warning (the hourly job retries it).
  await watchRevenueCap(db, { now: opts.now ?? Date.now(), actor: systemActor('revenue-cap-watch') }).catch((error: unknown) =>
    console.warn('Revenue cap watch after payment failed (the hourly job retries):', error),
  )
  return ok({ id: invoice.id, paidAt: opts.paidAt })
}
