import { randomUUID } from 'node:crypto'
import { and, eq, gte, lt, sql } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  authorizations,
  billingCloses,
  datasets,
  disclosureEditions,
  invoices,
  notifications,
  partners,
  productDatasets,
  sourceUnits,
  users,
} from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { errorText } from '#platform/error-text.ts'
import { fromLocal, parseMonth } from '#platform/calendar/shanghai-calendar.ts'
import { recordCostEntry } from '#billing/costs/record-cost-entry.ts'
import { setRevenueCapSetting } from '#billing/revenue/set-revenue-cap-setting.ts'
import { setPriceCeiling } from '#billing/ceilings/set-price-ceiling.ts'
import { markInvoicePaid } from '#billing/invoices/mark-invoice-paid.ts'
import { getRevenueCap } from '#billing/revenue/get-revenue-cap.ts'
import { prepareDisclosure } from '#disclosure/editions/prepare-disclosure.ts'
import { publishDisclosure } from '#disclosure/editions/publish-disclosure.ts'
import { getDisclosure, listPublishedDisclosures } from '#disclosure/editions/get-disclosure.ts'
import { getDisclosureReminder } from '#disclosure/editions/get-disclosure-reminder.ts'
import { renderDisclosurePdf } from '#disclosure/pdf/render-disclosure-pdf.ts'
import { NARRATIVE_MAX } from '#disclosure/editions/disclosure-narrative.ts'
import { runCli } from '#cli/platform.ts'
import { addPartner, addProduct, insertEvents } from '#test/support/billing-harness.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

const Y = 2037
/** February of the next year: before the deadline (31 March). */
const NOW = fromLocal(Y + 1, 2, 10)
const operator: Actor = { id: null, label: 'operator-test', role: 'operator' }
const bureau: Actor = { id: null, label: 'bureau-test', role: 'bureau' }

describe('annual disclosure (65号; ADR 0036)', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  /** A source unit, a dataset authorized over the year, a product on it with calls, a ceiling, costs and a paid invoice. */
  async function records() {
    const unitId = randomUUID()
    const datasetId = randomUUID()
    await t.db.insert(sourceUnits).values({ id: unitId, code: 'dsc-unit', nameZh: '披露测试局', nameEn: 'Disclosure unit' })
    await t.db.insert(datasets).values({
      id: datasetId,
      code: 'dsc-dataset',
      sourceUnitId: unitId,
      nameZh: '披露测试数据集',
      nameEn: 'Disclosure dataset',
      domain: 'other',
      level: 'L2',
      deliveryMode: 'table',
    })
    await t.db.insert(authorizations).values({
      id: randomUUID(),
      code: 'AUTH-DSC-1',
      datasetId,
      deliveryMode: 'table',
      startsAt: fromLocal(Y, 3, 1),
      endsAt: fromLocal(Y + 2, 3, 1),
    })
    const productId = await addProduct(t.db, 'dsc-product', 'service')
    await t.db.insert(productDatasets).values({ productId, datasetId })
    const ind = await addPartner(t.db, { productId, code: 'dsc-ind', purpose: 'industrial', subscribedAt: fromLocal(Y, 1) })
    const pub = await addPartner(t.db, { productId, code: 'dsc-pub', purpose: 'public_interest', subscribedAt: fromLocal(Y, 1) })
    await insertEvents(
      t.db,
      ind,
      Array.from({ length: 30 }, (_, i) => fromLocal(Y, 5) + i * 1000),
    )
    await insertEvents(
      t.db,
      pub,
      Array.from({ length: 10 }, (_, i) => fromLocal(Y, 6) + i * 1000),
    )
    // Outside the year: not counted.
    await insertEvents(t.db, ind, [fromLocal(Y + 1, 1, 5)])
    const ceiling = await setPriceCeiling(t.db, {
      input: {
        productId,
        chargeUnit: 'call',
        maxUnitPrice: '5',
        effectiveFrom: fromLocal(Y, 4, 1),
        basis: '沈发改价格〔2037〕1号',
      },
      actor: bureau,
      now: fromLocal(Y, 3, 31),
    })
    expect(ceiling.ok).toBe(true)
    expect(
      (
        await recordCostEntry(t.db, {
          input: { period: `${Y}-05`, category: 'staff', supply: 'industrial', grossFen: 100_000, subsidyFen: 0 },
          actor: operator,
          now: NOW,
        })
      ).ok,
    ).toBe(true)
    expect((await setRevenueCapSetting(t.db, { input: { year: Y, profitRate: '0.1', taxRate: '0' }, actor: bureau })).ok).toBe(
      true,
    )
    const closeId = randomUUID()
    const invoiceId = randomUUID()
    const partnerId = randomUUID()
    await t.db.insert(partners).values({ id: partnerId, code: 'dsc-payer', name: '披露付款方', kind: 'legal_person' })
    await t.db.insert(billingCloses).values({
      id: closeId,
      period: `${Y}-06`,
      periodStart: parseMonth(`${Y}-06`)!.start,
      periodEnd: parseMonth(`${Y}-06`)!.start + 1,
      watermark: 0,
      eventsRated: 0,
      lateEvents: 0,
      unpricedEvents: 0,
      invoiceCount: 1,
      closedByLabel: 'test',
      closedAt: NOW,
    })
    await t.db.insert(invoices).values({
      id: invoiceId,
      partnerId,
      closeId,
      period: `${Y}-06`,
      state: 'finalized',
      numberYear: Y,
      numberSeq: 1,
      number: 'DSC-1',
      vatRate: '0.06',
      subtotalFen: 90_000,
      vatFen: 5_400,
      totalFen: 95_400,
      waivedFen: 0,
    })
    expect((await markInvoicePaid(t.db, { invoiceId, paidAt: NOW, actor: operator })).ok).toBe(true)
  }

  it('freezes figures checked against the records; the bureau publishes the reviewed version; the public sees it only then', async () => {
    await records()
    const prepared = await prepareDisclosure(t.db, { year: Y, actor: operator, now: NOW })
    if (!prepared.ok) throw new Error(JSON.stringify(prepared.error))
    const f = prepared.value.figures
    expect(prepared.value.version).toBe(1)

    // Resources: exactly the datasets with an authorization overlapping the year, as the records hold them.
    const overlapping = await t.db
      .selectDistinct({ code: datasets.code })
      .from(authorizations)
      .innerJoin(datasets, eq(datasets.id, authorizations.datasetId))
      .where(and(lt(authorizations.startsAt, fromLocal(Y + 1, 1, 1)), gte(authorizations.endsAt, fromLocal(Y, 1, 1))))
    expect(f.resources.datasets.map((d) => d.code).sort()).toEqual(overlapping.map((r) => r.code).sort())
    expect(f.resources.datasets.find((d) => d.code === 'dsc-dataset')).toEqual({
      code: 'dsc-dataset',
      nameZh: '披露测试数据集',
      nameEn: 'Disclosure dataset',
      sourceUnitCode: 'dsc-unit',
      level: 'L2',
      updateFrequency: 'monthly',
      authorizations: [{ code: 'AUTH-DSC-1', startsAt: fromLocal(Y, 3, 1), endsAt: fromLocal(Y + 2, 3, 1), state: 'active' }],
    })
    expect(f.resources.sourceUnits.find((u) => u.code === 'dsc-unit')?.datasets).toBe(1)
    // Products: the year's calls by purpose (the one in January of the next year is not the year's).
    expect(f.products.find((p) => p.code === 'dsc-product')).toMatchObject({ industrialCalls: 30, publicInterestCalls: 10 })
    // Fees: the ceiling set in the year, with its basis and its default re-evaluation date.
    expect(f.fees.ceilingChanges.filter((c) => c.productCode === 'dsc-product')).toEqual([
      {
        productCode: 'dsc-product',
        chargeUnit: 'call',
        maxUnitPrice: '5',
        effectiveFrom: fromLocal(Y, 4, 1),
        reevaluateBy: fromLocal(Y + 3, 4, 1),
        basis: '沈发改价格〔2037〕1号',
      },
    ])
    expect(f.fees.atYearEnd.find((p) => p.productCode === 'dsc-product')?.charges).toEqual([
      { chargeUnit: 'call', maxUnitPrice: null, ceiling: '5' },
    ])
    // The cap: the cap's own computation for the year (industrial cost 100,000 + 10% = 110,000; 90,000 paid).
    const cap = (await getRevenueCap(t.db, { now: NOW, toYear: Y })).find((y) => y.year === Y)!
    expect(f.cap).toEqual(cap)
    expect(f.cap).toMatchObject({ operatingCostFen: 100_000, maximumFen: 110_000, paidRevenueFen: 90_000, reached: 80 })

    // Unpublished: nobody outside sees it; the staff does.
    expect((await getDisclosure(t.db, { year: Y })).ok).toBe(false)
    expect((await getDisclosure(t.db, { year: Y, actor: { ...operator, role: 'partner_admin' } })).ok).toBe(false)
    expect((await getDisclosure(t.db, { year: Y, actor: bureau })).ok).toBe(true)

    // The narrative is edited: a new version with the same frozen figures.
    const edited = await prepareDisclosure(t.db, {
      year: Y,
      narrative: { implementers: '实施主体：测试科技有限公司', cap: '收入未超过上限。' },
      refreshFigures: false,
      actor: operator,
      now: NOW + 1000,
    })
    expect(edited.ok && edited.value.version).toBe(2)
    expect(edited.ok && edited.value.figures).toEqual(f)

    // The bureau publishes what it reviewed: version 1 is stale now; the operator cannot publish.
    expect(await publishDisclosure(t.db, { year: Y, version: 2, actor: operator, now: NOW })).toMatchObject({
      ok: false,
      error: { kind: 'forbidden' },
    })
    expect(await publishDisclosure(t.db, { year: Y, version: 1, actor: bureau, now: NOW })).toMatchObject({
      ok: false,
      error: { code: 'disclosure_version_stale' },
    })
    expect(await publishDisclosure(t.db, { year: Y + 1, version: 1, actor: bureau, now: NOW })).toMatchObject({
      ok: false,
      error: { kind: 'not_found' },
    })
    const published = await publishDisclosure(t.db, { year: Y, version: 2, actor: bureau, now: NOW + 2000 })
    expect(published).toEqual({ ok: true, value: { year: Y, version: 2, publishedAt: NOW + 2000, late: false } })
    // Final: no more versions, no second publication, no edit even in SQL.
    expect(await prepareDisclosure(t.db, { year: Y, actor: operator, now: NOW })).toMatchObject({
      ok: false,
      error: { code: 'disclosure_published' },
    })
    expect(await publishDisclosure(t.db, { year: Y, version: 2, actor: bureau, now: NOW })).toMatchObject({
      ok: false,
      error: { code: 'disclosure_published' },
    })
    const edit = await t.db
      .update(disclosureEditions)
      .set({ state: 'draft' })
      .where(eq(disclosureEditions.year, Y))
      .then(
        () => '',
        (e: unknown) => errorText(e),
      )
    expect(edit).toContain('disclosure_immutable')
    // The operator is told.
    const toldOperators = await t.db
      .select({ n: sql<number>`count(*)` })
      .from(notifications)
      .innerJoin(users, eq(users.id, notifications.userId))
      .where(and(eq(notifications.kind, 'disclosure_published'), eq(users.role, 'operator')))
    expect(toldOperators[0]!.n).toBeGreaterThan(0)

    // Public now: version 2, with its narrative; in the archive.
    const pub = await getDisclosure(t.db, { year: Y })
    if (!pub.ok) throw new Error('not public')
    expect(pub.value).toMatchObject({ year: Y, state: 'published', late: false, versions: [] })
    expect(pub.value.current.version).toBe(2)
    expect(pub.value.current.narrative.implementers).toBe('实施主体：测试科技有限公司')
    expect((await listPublishedDisclosures(t.db)).map((d) => d.year)).toContain(Y)

    // The PDF: a PDF with the CJK font embedded (subset), a few pages.
    const pdf = await renderDisclosurePdf(pub.value)
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    expect(pdf.includes('NotoSansSC')).toBe(true)
    expect(pdf.includes('/FontFile2')).toBe(true)
    expect(pdf.length).toBeGreaterThan(5_000)
  })

  it('reminds the operator from 1 March until last year’s edition is published, overdue after 31 March', async () => {
    expect(await getDisclosureReminder(t.db, { now: fromLocal(Y + 1, 3, 1) - 1 })).toBeNull()
    expect(await getDisclosureReminder(t.db, { now: fromLocal(Y + 1, 3, 1) })).toEqual({
      year: Y,
      deadline: fromLocal(Y + 1, 4, 1),
      overdue: false,
      isPrepared: false,
    })
    expect(await getDisclosureReminder(t.db, { now: fromLocal(Y + 1, 4, 1) })).toMatchObject({ overdue: true })
    const prepared = await prepareDisclosure(t.db, { year: Y, actor: operator, now: fromLocal(Y + 1, 4, 2) })
    expect(prepared.ok).toBe(true)
    expect(await getDisclosureReminder(t.db, { now: fromLocal(Y + 1, 4, 2) })).toMatchObject({ isPrepared: true })
    const late = await publishDisclosure(t.db, { year: Y, version: 1, actor: bureau, now: fromLocal(Y + 1, 4, 3) })
    expect(late.ok && late.value.late).toBe(true)
    expect(await getDisclosureReminder(t.db, { now: fromLocal(Y + 1, 4, 3) })).toBeNull()
    // Until the next year's 1 March.
    expect(await getDisclosureReminder(t.db, { now: fromLocal(Y + 2, 2, 28) })).toBeNull()
    expect(await getDisclosureReminder(t.db, { now: fromLocal(Y + 2, 3, 1) })).toMatchObject({ year: Y + 1 })
  })

  it('refuses the wrong roles, hostile years and narratives; parallel preparations never share a version', async () => {
    const partner: Actor = { id: null, label: 'partner', role: 'partner_admin' }
    for (const actor of [partner, bureau, { ...operator, role: 'source_unit' as const }])
      expect(await prepareDisclosure(t.db, { year: Y, actor, now: NOW })).toMatchObject({
        ok: false,
        error: { kind: 'forbidden' },
      })
    for (const year of ['1e3', '2999', -1, 2023, Y + 2, '20 37', null, { year: Y }, 2037.5])
      expect(await prepareDisclosure(t.db, { year, actor: operator, now: NOW }), JSON.stringify(year)).toMatchObject({
        ok: false,
        error: { fields: { year: 'invalid_year' } },
      })
    for (const [narrative, field, code] of [
      [{ overview: 'x'.repeat(NARRATIVE_MAX + 1) }, 'overview', 'too_long'],
      [{ cap: 'a\u0000b' }, 'cap', 'invalid_characters'],
      [{ fees: 42 }, 'fees', 'invalid'],
    ] as const) {
      const r = await prepareDisclosure(t.db, { year: Y, narrative, actor: operator, now: NOW })
      expect(!r.ok && r.error.fields?.[field], JSON.stringify(narrative).slice(0, 60)).toBe(code)
    }
    const extra = await prepareDisclosure(t.db, { year: Y, narrative: { script: '<b>' }, actor: operator, now: NOW })
    expect(extra.ok).toBe(false)
    // Markup is kept as text (the page escapes it): nothing is interpreted.
    const markup = await prepareDisclosure(t.db, {
      year: Y,
      narrative: { overview: '<script>alert(1)</script>' },
      actor: operator,
      now: NOW,
    })
    expect(markup.ok && markup.value.narrative.overview).toBe('<script>alert(1)</script>')
    const narrativeOnly = await prepareDisclosure(t.db, { year: Y - 1, refreshFigures: false, actor: operator, now: NOW })
    expect(narrativeOnly).toMatchObject({ ok: false, error: { code: 'disclosure_not_prepared' } })

    const parallel = await Promise.all(
      Array.from({ length: 4 }, (_, i) => prepareDisclosure(t.db, { year: Y, actor: operator, now: NOW + i })),
    )
    const versions = parallel.flatMap((r) => (r.ok ? [r.value.version] : []))
    expect(new Set(versions).size).toBe(versions.length)
    expect(versions.length).toBeGreaterThan(0)
    for (const r of parallel) if (!r.ok) expect(r.error.code).toBe('disclosure_busy')
    const staff = await getDisclosure(t.db, { year: Y, actor: operator })
    expect(staff.ok && staff.value.versions.length).toBe(1 + versions.length)
  })

  it('disclosure:prepare --json: the shape the operator’s scripts read; a bad year is refused', async () => {
    const run = async (...argv: string[]) => {
      const out: string[] = []
      const err: string[] = []
      const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, { DATABASE_URL: `file:${t.path}` })
      return { code, out: out.join('\n'), err: err.join('\n') }
    }
    // This year (last year's is the demo's, published on first start).
    const year = String(new Date().getUTCFullYear())
    const r = await run('disclosure:prepare', '--year', year, '--json')
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    const json = JSON.parse(r.out) as Record<string, unknown>
    expect(Object.keys(json).sort()).toEqual(['deadline', 'figures', 'figuresAt', 'narrative', 'state', 'version', 'year'])
    expect(json).toMatchObject({ year: Number(year), state: 'draft', deadline: `${Number(year) + 1}-03-31` })
    expect(Object.keys(json.figures as object).sort()).toEqual(
      ['cap', 'fees', 'from', 'operator', 'products', 'resources', 'to', 'year'].sort(),
    )
    const again = await run('disclosure:prepare', '--year', year)
    expect(again.code).toBe(0)
    expect(again.out).toContain('version')
    expect((await run('disclosure:prepare', '--year', 'abc')).code).toBe(2)
    expect((await run('disclosure:prepare')).code).toBe(2)
    expect((await run('disclosure:prepare', '--year', '2999')).code).toBe(2)
  })
})
