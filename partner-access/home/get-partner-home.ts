import { and, asc, eq, isNotNull, isNull } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { invoices, partnerExits, partners, products, subscriptions } from '#db/schema/index.ts'
import { estimatePartnerCharges } from '#billing/invoices/estimate-partner-charges.ts'
import { invoiceDueAt } from '#billing/invoices/payment-term.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { DAY_MS } from '#platform/calendar/shanghai-calendar.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { getPartnerAgreementStatus } from '../agreements/get-partner-agreement-status.ts'
import { listApiKeys, type ApiKeyListing } from '../keys/list-api-keys.ts'
import type { QuotaStatus } from '../usage/summarize-usage.ts'
import { countPartnerCalls } from './count-partner-calls.ts'
import { listQuotaStatuses } from './list-quota-statuses.ts'

/** A key whose end is this close shows on the home pages as about to expire. */
export const EXPIRING_KEY_DAYS = 14

export interface PartnerHome {
  partnerName: string
  period: string
  calls: { today: number; thisMonth: number }
  quotas: QuotaStatus[]
  /** This month's charges so far (the open period's preview for this partner); null when nothing is chargeable. */
  charges: { subtotalFen: number; vatFen: number; totalFen: number; waivedFen: number; events: number } | null
  /** Finalized, unpaid, not credited invoices, the earliest due first. */
  invoicesDue: { id: string; number: string | null; period: string; totalFen: number; dueAt: number; overdue: boolean }[]
  /** Usable keys that end within EXPIRING_KEY_DAYS, the soonest first. */
  expiringKeys: ApiKeyListing[]
  pending: {
    /** Agreement kinds whose current version the partner has not accepted yet. */
    agreements: { kind: string; titleZh: string; titleEn: string; acceptBy: number | null; blocking: boolean }[]
    /** Subscriptions waiting for the bureau (public-interest use, ADR 0032). */
    subscriptions: { id: string; productCode: string; productNameZh: string; productNameEn: string; createdAt: number }[]
    /** An exit notice in force (Art. 12(4)): the date the partner leaves. */
    exit: { kind: string; noticeAt: number; exitAt: number } | null
  }
}

/**
 * What a partner's administrator sees first (issue 16): usage against quota, this month's charges so far, invoices
 * due, keys about to expire and what waits for the partner. Only the administrator's own partner; a read, no audit.
 */
export async function getPartnerHome(db: Db, opts: { actor: Actor; now?: number }): Promise<Result<PartnerHome>> {
  const refused = refuseUnlessPermitted(opts.actor, 'partner_home.view')
  if (refused) return refused
  const partnerId = opts.actor.partnerId!
  const now = opts.now ?? Date.now()
  const [partner] = await db.select({ name: partners.name }).from(partners).where(eq(partners.id, partnerId))
  if (!partner) return fail('not_found', 'partner_not_found', 'no such partner')

  const [calls, quotas, estimate, unpaid, keys, agreements, waiting, exits] = await Promise.all([
    countPartnerCalls(db, { partnerId, now }),
    listQuotaStatuses(db, { partnerId, now }),
    estimatePartnerCharges(db, { partnerId, now }),
    db
      .select({
        id: invoices.id,
        number: invoices.number,
        period: invoices.period,
        totalFen: invoices.totalFen,
        finalizedAt: invoices.finalizedAt,
      })
      .from(invoices)
      .where(
        and(
          eq(invoices.partnerId, partnerId),
          eq(invoices.state, 'finalized'),
          isNotNull(invoices.finalizedAt),
          isNull(invoices.paidAt),
          isNull(invoices.voidedAt),
        ),
      )
      .orderBy(asc(invoices.finalizedAt)),
    listApiKeys(db, { partnerId, now }),
    getPartnerAgreementStatus(db, { partnerId, actor: opts.actor, at: now, withText: false }),
    db
      .select({
        id: subscriptions.id,
        productCode: products.code,
        productNameZh: products.nameZh,
        productNameEn: products.nameEn,
        createdAt: subscriptions.createdAt,
      })
      .from(subscriptions)
      .innerJoin(products, eq(products.id, subscriptions.productId))
      .where(and(eq(subscriptions.partnerId, partnerId), eq(subscriptions.state, 'pending')))
      .orderBy(asc(subscriptions.createdAt)),
    db
      .select({ kind: partnerExits.kind, noticeAt: partnerExits.noticeAt, exitAt: partnerExits.exitAt })
      .from(partnerExits)
      .where(and(eq(partnerExits.partnerId, partnerId), eq(partnerExits.state, 'noticed')))
      .orderBy(asc(partnerExits.exitAt))
      .limit(1),
  ])

  const invoice = estimate.invoice
  return ok({
    partnerName: partner.name,
    period: estimate.period,
    calls,
    quotas,
    charges:
      invoice === null
        ? null
        : {
            subtotalFen: invoice.subtotalFen,
            vatFen: invoice.vatFen,
            totalFen: invoice.totalFen,
            waivedFen: invoice.waivedFen,
            events: invoice.events,
          },
    invoicesDue: unpaid.map((i) => {
      const dueAt = invoiceDueAt(i.finalizedAt!)
      return { id: i.id, number: i.number, period: i.period, totalFen: i.totalFen, dueAt, overdue: dueAt < now }
    }),
    expiringKeys: expiringKeys(keys, now),
    pending: {
      agreements: agreements.ok
        ? agreements.value.kinds
            .filter((k) => k.current !== null && !k.isCurrentAccepted)
            .map((k) => ({
              kind: k.kind,
              titleZh: k.current!.titleZh,
              titleEn: k.current!.titleEn,
              acceptBy: k.current!.acceptBy,
              blocking: k.isBlocking,
            }))
        : [],
      subscriptions: waiting,
      exit: exits[0] ?? null,
    },
  })
}

/** Usable keys (active or in a roll's grace) with an end within EXPIRING_KEY_DAYS of `now`, the soonest first. */
export function expiringKeys(keys: ApiKeyListing[], now: number): ApiKeyListing[] {
  return keys
    .filter(
      (k) =>
        (k.state === 'active' || k.state === 'grace') && k.expiresAt !== null && k.expiresAt - now <= EXPIRING_KEY_DAYS * DAY_MS,
    )
    .sort((a, b) => a.expiresAt! - b.expiresAt!)
}
