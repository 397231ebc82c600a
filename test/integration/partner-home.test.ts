import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { apiKeys, partnerExits, partners, products, subscriptions, users } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { DAY_MS, fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { periodOf, previousPeriod } from '#billing/periods/billing-period.ts'
import { closeBillingPeriod } from '#billing/invoices/close-billing-period.ts'
import { finalizeInvoice } from '#billing/invoices/finalize-invoice.ts'
import { markInvoicePaid } from '#billing/invoices/mark-invoice-paid.ts'
import { PAYMENT_TERM_DAYS } from '#billing/invoices/payment-term.ts'
import { createApiKey } from '#partner-access/keys/create-api-key.ts'
import { EXPIRING_KEY_DAYS, getPartnerHome } from '#partner-access/home/get-partner-home.ts'
import { getDeveloperHome } from '#partner-access/home/get-developer-home.ts'
import { insertEvents } from '#test/support/billing-harness.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

// The partner's and the developer's home pages (issue 16): what each reads, for its own partner only.

const cli: Actor = { id: null, label: 'cli', role: 'cli' }
const operator: Actor = { id: null, label: 'operator-test', role: 'operator' }
// Mid-month, mid-day in the city: "today" and "this month" are plain to reason about.
const NOW = fromLocal(2026, 11, 18, 14)

async function actor(db: Db, username: string): Promise<Actor> {
  const [u] = await db.select().from(users).where(eq(users.username, username))
  return { id: u!.id, label: username, role: u!.role, partnerId: u!.partnerId, sourceUnitId: u!.sourceUnitId }
}

async function activeSubscription(
  db: Db,
  partnerId: string,
  purpose: 'industrial' | 'public_interest' = 'industrial',
  state: 'active' | 'pending' = 'active',
) {
  const [sub] = await db
    .select({ id: subscriptions.id, productId: subscriptions.productId, code: products.code })
    .from(subscriptions)
    .innerJoin(products, eq(products.id, subscriptions.productId))
    .where(and(eq(subscriptions.partnerId, partnerId), eq(subscriptions.state, state), eq(subscriptions.purpose, purpose)))
    .orderBy(products.code)
    .limit(1)
  return sub!
}

describe('home pages of a partner', () => {
  let t: TestDatabase
  let admin: Actor
  let dev: Actor
  beforeEach(async () => {
    t = await createTestDatabase()
    admin = await actor(t.db, 'partner.admin')
    dev = await actor(t.db, 'partner.dev')
  })
  afterEach(() => t.destroy())

  it('counts today’s and this month’s calls against each subscription’s quota, its own partner’s only', async () => {
    const sub = await activeSubscription(t.db, admin.partnerId!)
    const before = await getPartnerHome(t.db, { actor: admin, now: NOW })
    if (!before.ok) throw new Error(before.error.code)
    const used = (r: typeof before) => (r.ok ? r.value.quotas.find((q) => q.subscriptionId === sub.id)!.usedThisMonth : -1)
    const mine = {
      partnerId: admin.partnerId!,
      subscriptionId: sub.id,
      productId: sub.productId,
      key: '',
      purpose: 'industrial' as const,
    }
    // Two today, one earlier this month, one on the last evening of last month (not counted).
    await insertEvents(t.db, mine, [NOW - 3_600_000, NOW - 60_000, NOW - 5 * DAY_MS, fromLocal(2026, 10, 31, 23, 59)])
    const [other] = await t.db.select({ id: partners.id }).from(partners).where(eq(partners.code, 'huimin-service'))
    // The other partner's only subscription in the small seed waits for the bureau: its calls must not count here.
    const theirs = await activeSubscription(t.db, other!.id, 'public_interest', 'pending')
    await insertEvents(t.db, { ...mine, partnerId: other!.id, subscriptionId: theirs.id, productId: theirs.productId }, [
      NOW - 1000,
    ])

    const after = await getPartnerHome(t.db, { actor: admin, now: NOW })
    if (!after.ok) throw new Error(after.error.code)
    expect(after.value.calls.today - before.value.calls.today).toBe(2)
    expect(after.value.calls.thisMonth - before.value.calls.thisMonth).toBe(3)
    expect(used(after) - used(before)).toBe(3)
    // One row per active subscription, whatever versions its plan has had.
    const ids = after.value.quotas.map((q) => q.subscriptionId)
    expect(new Set(ids).size).toBe(ids.length)
    const developer = await getDeveloperHome(t.db, { actor: dev, now: NOW })
    if (!developer.ok) throw new Error(developer.error.code)
    expect(developer.value.calls).toEqual(after.value.calls)
    expect(developer.value.quotas).toEqual(after.value.quotas)
  })

  it('shows this month’s charges so far, and a finalized invoice as due until it is paid', async () => {
    const now = Date.now()
    const sub = await activeSubscription(t.db, admin.partnerId!)
    const mine = {
      partnerId: admin.partnerId!,
      subscriptionId: sub.id,
      productId: sub.productId,
      key: '',
      purpose: 'industrial' as const,
    }
    const last = previousPeriod(periodOf(now))
    await insertEvents(t.db, mine, [last.start + DAY_MS, last.start + 2 * DAY_MS, now - 1000])
    const home = async () => {
      const r = await getPartnerHome(t.db, { actor: admin, now })
      if (!r.ok) throw new Error(r.error.code)
      return r.value
    }
    const open = await home()
    expect(open.period).toBe(periodOf(now).period)
    expect(open.charges).not.toBeNull()
    expect(open.charges!.events).toBeGreaterThanOrEqual(1)
    expect(open.charges!.totalFen).toBe(open.charges!.subtotalFen + open.charges!.vatFen)
    expect(open.invoicesDue).toEqual([])

    const closed = await closeBillingPeriod(t.db, { period: last.period, actor: cli, now })
    if (!closed.ok) throw new Error(closed.error.code)
    const invoiceId = closed.value.invoices.find((i) => i.partner.id === admin.partnerId)!.id!
    // A draft is not the partner's to pay yet.
    expect((await home()).invoicesDue).toEqual([])
    const finalized = await finalizeInvoice(t.db, { invoiceId, actor: operator, now })
    if (!finalized.ok) throw new Error(finalized.error.code)
    const due = (await home()).invoicesDue
    expect(due).toHaveLength(1)
    expect(due[0]).toMatchObject({ id: invoiceId, number: finalized.value.number, period: last.period, overdue: false })
    expect(due[0]!.dueAt).toBe(now + PAYMENT_TERM_DAYS * DAY_MS)
    const late = await getPartnerHome(t.db, { actor: admin, now: now + (PAYMENT_TERM_DAYS + 1) * DAY_MS })
    expect(late.ok && late.value.invoicesDue[0]!.overdue).toBe(true)
    const paid = await markInvoicePaid(t.db, { invoiceId, paidAt: now, actor: operator, now })
    if (!paid.ok) throw new Error(paid.error.code)
    expect((await home()).invoicesDue).toEqual([])
  })

  it(`lists usable keys ending within ${EXPIRING_KEY_DAYS} days, the soonest first; not later, ended or another partner’s`, async () => {
    const make = async (name: string, partnerId: string, expiresAt: number | null, revoked = false) => {
      const r = await createApiKey(t.db, { actor: cli, partnerId, name })
      if (!r.ok) throw new Error(r.error.code)
      await t.db
        .update(apiKeys)
        .set({ expiresAt, revokedAt: revoked ? NOW - 1000 : null })
        .where(eq(apiKeys.id, r.value.id))
      return r.value.id
    }
    const [other] = await t.db.select({ id: partners.id }).from(partners).where(eq(partners.code, 'huimin-service'))
    // Earlier keys of the seed keep whatever end they had: only the ones made here are looked at.
    const soon = await make('soon', admin.partnerId!, NOW + 2 * DAY_MS)
    const edge = await make('edge', admin.partnerId!, NOW + EXPIRING_KEY_DAYS * DAY_MS)
    const later = await make('later', admin.partnerId!, NOW + (EXPIRING_KEY_DAYS + 1) * DAY_MS)
    const gone = await make('gone', admin.partnerId!, NOW - DAY_MS)
    const revoked = await make('revoked', admin.partnerId!, NOW + DAY_MS, true)
    const theirs = await make('theirs', other!.id, NOW + DAY_MS)
    const made = new Set([soon, edge, later, gone, revoked, theirs])

    const home = await getPartnerHome(t.db, { actor: admin, now: NOW })
    if (!home.ok) throw new Error(home.error.code)
    expect(home.value.expiringKeys.map((k) => k.id).filter((id) => made.has(id))).toEqual([soon, edge])
    const developer = await getDeveloperHome(t.db, { actor: dev, now: NOW })
    if (!developer.ok) throw new Error(developer.error.code)
    const flags = Object.fromEntries(developer.value.keys.filter((k) => made.has(k.id)).map((k) => [k.name, k.expiring]))
    expect(flags).toEqual({ soon: true, edge: true, later: false, gone: false, revoked: false })
  })

  it('names what waits for the partner: an agreement to accept, a pending subscription, an exit notice', async () => {
    const home = async () => {
      const r = await getPartnerHome(t.db, { actor: admin, now: NOW })
      if (!r.ok) throw new Error(r.error.code)
      return r.value.pending
    }
    const before = await home()
    const [pending] = await t.db
      .select({ id: subscriptions.id })
      .from(subscriptions)
      .where(and(eq(subscriptions.partnerId, admin.partnerId!), eq(subscriptions.state, 'pending')))
    expect(before.subscriptions.map((s) => s.id)).toEqual(pending ? [pending.id] : [])
    expect(before.exit).toBeNull()
    await t.db.insert(partnerExits).values({
      partnerId: admin.partnerId!,
      kind: 'voluntary',
      state: 'noticed',
      reason: '测试',
      noticeAt: NOW - DAY_MS,
      exitAt: NOW + 30 * DAY_MS,
      startedByLabel: 'operator',
    } as typeof partnerExits.$inferInsert)
    expect((await home()).exit).toEqual({ kind: 'voluntary', noticeAt: NOW - DAY_MS, exitAt: NOW + 30 * DAY_MS })
    for (const a of (await home()).agreements) expect(a.titleZh.length).toBeGreaterThan(0)
  })

  it('is refused to anyone but the partner’s own people, and to a developer for the administrator’s page', async () => {
    for (const role of ['bureau', 'operator', 'source_unit', 'auditor', 'anonymous'] as const) {
      const someone: Actor = { id: null, label: role, role }
      expect((await getPartnerHome(t.db, { actor: someone })).ok).toBe(false)
      expect((await getDeveloperHome(t.db, { actor: someone })).ok).toBe(false)
    }
    const refused = await getPartnerHome(t.db, { actor: dev })
    expect(refused.ok || refused.error.kind).toBe('forbidden')
    expect((await getDeveloperHome(t.db, { actor: admin })).ok).toBe(true)
    // A partner actor without its partner sees nothing.
    const orphan = await getDeveloperHome(t.db, { actor: { ...dev, partnerId: null } })
    expect(orphan.ok || orphan.error.kind).toBe('forbidden')
  })
})
