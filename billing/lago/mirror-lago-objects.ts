import { createHash } from 'node:crypto'
import { and, eq, inArray, isNotNull, lte, or, sql } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '#db/client.ts'
import { lagoMirror, partners, products, subscriptions, type ChargeUnit } from '#db/schema/index.ts'
import { recordAudit, systemActor, type Actor } from '#platform/audit/record-audit.ts'
import { assertPermitted } from '#platform/identity/permissions.ts'
import type { Charge } from '../charge-models/index.ts'
import { Decimal } from '../money/decimal.ts'
import { loadPriceTimeline, type ApprovedBook } from '../rating/price-timeline.ts'
import { LAGO_METRIC_CODES } from './enqueue-lago-events.ts'
import { lagoFailure, type LagoApi } from './lago-client.ts'

type MirrorKind = (typeof lagoMirror.$inferSelect)['kind']

export interface MirrorReport {
  created: number
  unchanged: number
  failed: number
  lastError: string | null
}

/** Fen (decimal text) → Lago's amount in yuan (decimal text; CNY has 2 minor digits). */
const yuan = (fen: string) => new Decimal(fen).div(100).toFixed()

/** Our charge → Lago's charge model and properties (standard, graduated, package). */
export function lagoCharge(charge: Charge, free: boolean): { charge_model: string; properties: Record<string, unknown> } {
  const amount = (fen: string) => (free ? '0' : yuan(fen))
  switch (charge.model) {
    case 'standard':
      return { charge_model: 'standard', properties: { amount: amount(charge.properties.unitPrice) } }
    case 'graduated': {
      let from = 0
      return {
        charge_model: 'graduated',
        properties: {
          graduated_ranges: charge.properties.tiers.map((t) => {
            const range = { from_value: from, to_value: t.upTo, per_unit_amount: amount(t.unitPrice), flat_amount: '0' }
            from = (t.upTo ?? 0) + 1
            return range
          }),
        },
      }
    }
    case 'package':
      return {
        charge_model: 'package',
        properties: {
          amount: amount(charge.properties.packagePrice),
          package_size: charge.properties.packageSize,
          free_units: charge.properties.freeUnits,
        },
      }
    case 'fixed_fee':
      throw new Error('a fixed fee is the plan amount, not a charge')
  }
}

const METER_UNITS = Object.keys(LAGO_METRIC_CODES) as (keyof typeof LAGO_METRIC_CODES)[]
const isMeter = (u: ChargeUnit): u is keyof typeof LAGO_METRIC_CODES => (METER_UNITS as string[]).includes(u)

/** Plan code of an approved book for one purpose (public-interest plans charge 0, Art. 21). */
export const lagoPlanCode = (productCode: string, version: number, purpose: string) =>
  `sdp_${productCode}_v${version}${purpose === 'public_interest' ? '_pi' : ''}`

/**
 * Mirrors to Lago what it needs to meter and price our usage: one billable metric per meter (sum of `value`), a plan
 * per approved price book and purpose (standard, graduated and package charges; a monthly or yearly fixed fee as the
 * plan amount), a customer per partner (external_id = partner id), a subscription per active subscription
 * (external_id = ours, on the plan of the book in force now; a new book re-subscribes with the same external id, which
 * is how Lago changes plans), and a termination of each mirrored subscription once ours has ended (cancelled and past
 * its period's end, or ended by the bureau, a rejection or an exit). Only what changed since the last run is sent
 * (fingerprints in lago_mirror).
 */
export async function mirrorLagoObjects(db: Db, opts: { client: LagoApi; now: number; actor?: Actor }): Promise<MirrorReport> {
  assertPermitted(opts.actor ?? systemActor('lago-sync'), 'lago.sync')
  const report: MirrorReport = { created: 0, unchanged: 0, failed: 0, lastError: null }
  const known = new Map((await db.select().from(lagoMirror)).map((m) => [`${m.kind}:${m.ourId}`, m]))
  const statements: BatchItem<'sqlite'>[] = []
  const synced: string[] = []

  async function sync(kind: MirrorKind, ourId: string, lagoCode: string, payload: unknown, send: () => Promise<string | null>) {
    const fingerprint = createHash('sha256').update(JSON.stringify(payload)).digest('hex').slice(0, 32)
    const prior = known.get(`${kind}:${ourId}`)
    if (prior && prior.fingerprint === fingerprint) {
      report.unchanged++
      return prior.lagoId
    }
    let lagoId: string | null = null
    try {
      lagoId = await send()
    } catch (thrown) {
      const failure = await lagoFailure(thrown)
      // Already there (same code / external id): take it as mirrored.
      const exists = failure.status === 422 && JSON.stringify(failure.details ?? {}).includes('value_already_exist')
      if (!exists) {
        report.failed++
        report.lastError = `${kind} ${lagoCode}: ${failure.status ?? 'network'} ${failure.code}`
        return null
      }
      lagoId = prior?.lagoId ?? null
    }
    report.created++
    synced.push(`${kind}:${lagoCode}`)
    const row = { kind, ourId, lagoCode, fingerprint, lagoId, syncedAt: opts.now }
    statements.push(
      db
        .insert(lagoMirror)
        .values(row)
        .onConflictDoUpdate({
          target: [lagoMirror.kind, lagoMirror.ourId],
          set: { lagoCode, fingerprint, lagoId, syncedAt: opts.now },
        }),
    )
    known.set(`${kind}:${ourId}`, { ...row })
    return lagoId
  }

  // Billable metrics: one per meter.
  const metricIds = new Map<string, string | null>()
  for (const unit of METER_UNITS) {
    const code = LAGO_METRIC_CODES[unit]
    const billable_metric = {
      name: code,
      code,
      description: `Shenyang public data: ${unit}`,
      aggregation_type: 'sum_agg' as const,
      field_name: 'value',
      recurring: false,
    }
    const id = await sync('billable_metric', code, code, billable_metric, async () => {
      const res = await opts.client.billableMetrics.createBillableMetric({ billable_metric })
      return res.data.billable_metric.lago_id
    })
    metricIds.set(unit, id ?? known.get(`billable_metric:${code}`)?.lagoId ?? null)
  }

  // Plans: the book in force now for each product, per purpose.
  const timeline = await loadPriceTimeline(db)
  const productRows = await db.select({ id: products.id, code: products.code, nameZh: products.nameZh }).from(products)
  const planOf = new Map<string, string>()
  for (const product of productRows) {
    const book = timeline.bookAt(product.id, opts.now)
    if (!book) continue
    for (const purpose of ['industrial', 'public_interest'] as const) {
      const plan = planPayload(book, product, purpose, metricIds)
      if (!plan) continue
      const ok = await sync('plan', `${book.id}:${purpose}`, plan.code, plan, async () => {
        const res = await opts.client.plans.createPlan({ plan } as Parameters<LagoApi['plans']['createPlan']>[0])
        return res.data.plan.lago_id
      })
      if (ok !== null || known.has(`plan:${book.id}:${purpose}`)) planOf.set(`${product.id}:${purpose}`, plan.code)
    }
  }

  // Customers and subscriptions.
  const subs = await db
    .select({
      id: subscriptions.id,
      partnerId: subscriptions.partnerId,
      productId: subscriptions.productId,
      purpose: subscriptions.purpose,
      startedAt: sql<number>`coalesce(${subscriptions.decidedAt}, ${subscriptions.createdAt})`,
      endsAt: subscriptions.endsAt,
    })
    .from(subscriptions)
    .where(eq(subscriptions.state, 'active'))
    .then((rows) => rows.filter((s) => s.endsAt === null || s.endsAt > opts.now))
  const partnerIds = [...new Set(subs.map((s) => s.partnerId))]
  const partnerRows = partnerIds.length
    ? await db
        .select({ id: partners.id, code: partners.code, name: partners.name })
        .from(partners)
        .where(inArray(partners.id, partnerIds))
    : []
  for (const p of partnerRows) {
    const customer = {
      external_id: p.id,
      name: p.name,
      currency: 'CNY' as const,
      metadata: [{ key: 'code', value: p.code, display_in_invoice: false }],
    }
    await sync('customer', p.id, p.id, customer, async () => {
      const res = await opts.client.customers.createCustomer({ customer })
      return res.data.customer.lago_id
    })
  }
  for (const s of subs) {
    const planCode = planOf.get(`${s.productId}:${s.purpose}`)
    if (!planCode || !known.has(`customer:${s.partnerId}`)) continue
    // subscription_at = our start, so Lago bills the events from then on (not only from the mirror's time).
    const subscription = {
      external_customer_id: s.partnerId,
      plan_code: planCode,
      external_id: s.id,
      subscription_at: new Date(Number(s.startedAt)).toISOString(),
    }
    await sync('subscription', s.id, s.id, subscription, async () => {
      const res = await opts.client.subscriptions.createSubscription({ subscription })
      return res.data.subscription.lago_id
    })
  }

  // Ended subscriptions: terminated in Lago once (DELETE /subscriptions/{external_id}); one Lago no longer knows is done.
  const ended = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(
      or(
        inArray(subscriptions.state, ['ended', 'rejected']),
        and(isNotNull(subscriptions.endsAt), lte(subscriptions.endsAt, opts.now)),
      ),
    )
  for (const s of ended) {
    if (!known.has(`subscription:${s.id}`) || known.has(`subscription_end:${s.id}`)) continue
    await sync('subscription_end', s.id, s.id, { external_id: s.id, terminated: true }, async () => {
      try {
        const res = await opts.client.subscriptions.destroySubscription(s.id)
        return res.data.subscription.lago_id
      } catch (thrown) {
        if ((await lagoFailure(thrown)).status === 404) return null
        throw thrown
      }
    })
  }

  if (statements.length > 0) {
    await recordAudit(
      db,
      {
        actor: opts.actor ?? systemActor('lago-sync'),
        action: 'lago.objects_mirrored',
        objectType: 'lago_mirror',
        objectId: null,
        detail: { synced: synced.slice(0, 200), count: synced.length, failed: report.failed },
      },
      statements,
    )
  }
  return report
}

function planPayload(
  book: ApprovedBook,
  product: { code: string; nameZh: string },
  purpose: 'industrial' | 'public_interest',
  metricIds: Map<string, string | null>,
) {
  const free = purpose === 'public_interest'
  let amountCents = 0
  let interval: 'monthly' | 'yearly' = 'monthly'
  const charges: Record<string, unknown>[] = []
  for (const [unit, charge] of book.charges) {
    if (charge.model === 'fixed_fee') {
      if (unit === 'service_month' || unit === 'service_year') {
        // Lago's plan amount is an integer in cents (fen): a fractional-fen fee is rounded half-up, as we bill it.
        amountCents = free ? 0 : Number(new Decimal(charge.properties.amount).toDecimalPlaces(0).toFixed())
        if (unit === 'service_year') interval = 'yearly'
      }
      continue
    }
    if (!isMeter(unit)) continue
    const metricId = metricIds.get(unit)
    if (!metricId) return null
    charges.push({ billable_metric_id: metricId, invoice_display_name: unit, pay_in_advance: false, ...lagoCharge(charge, free) })
  }
  return {
    name: `${product.nameZh} v${book.version}${free ? '（公益）' : ''}`,
    code: lagoPlanCode(product.code, book.version, purpose),
    interval,
    amount_cents: amountCents,
    amount_currency: 'CNY' as const,
    pay_in_advance: false,
    charges,
  }
}
