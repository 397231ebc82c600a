import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { asc, eq, sql } from 'drizzle-orm'
import { auditLog, authorizations, demandItems, demandItemTransitions, demandLists } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { createDemandList } from '#catalog/demands/create-demand-list.ts'
import { addDemandItem } from '#catalog/demands/add-demand-item.ts'
import { updateDemandItem } from '#catalog/demands/update-demand-item.ts'
import { submitDemandList } from '#catalog/demands/submit-demand-list.ts'
import { resubmitDemandItem } from '#catalog/demands/resubmit-demand-item.ts'
import { reviewDemandItem } from '#catalog/demands/review-demand-item.ts'
import { refuseDemandItem } from '#catalog/demands/refuse-demand-item.ts'
import { listDemandItems } from '#catalog/demands/list-demand-items.ts'
import { listDemandLists } from '#catalog/demands/list-demand-lists.ts'
import { grantAuthorization } from '#catalog/authorizations/grant-authorization.ts'
import { listAuthorizations } from '#catalog/authorizations/list-authorizations.ts'
import { addCalendarMonths, formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { DEMO_UNAUTHORIZED_DATASET } from '#seed/seed-catalog-demo.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { actorOf, unitId, unwrap } from './catalog-fixtures.ts'

describe('demand lists (Art. 14–15) and grants (Art. 17)', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  /** A submitted list with one item for `datasetCode` (or described data held by `unit`), approved unless told otherwise. */
  async function approvedItem(opts: { datasetCode?: string; unit?: string; approve?: boolean } = {}) {
    const operator = await actorOf(t.db, 'operator')
    const bureau = await actorOf(t.db, 'bureau')
    const list = unwrap(await createDemandList(t.db, { actor: operator, title: '测试清单' }))
    const item = unwrap(
      await addDemandItem(t.db, {
        actor: operator,
        listCode: list.code,
        input: {
          datasetCode: opts.unit ? null : (opts.datasetCode ?? DEMO_UNAUTHORIZED_DATASET),
          sourceUnitCode: opts.unit ?? null,
          dataDescription: '企业年报',
          retrievalMethod: 'file',
          usageScenario: '经营核验',
          requestedTermMonths: 24,
        },
      }),
    )
    unwrap(await submitDemandList(t.db, { actor: operator, listCode: list.code }))
    if (opts.approve !== false) unwrap(await reviewDemandItem(t.db, { actor: bureau, itemId: item.id, decision: 'approve' }))
    return { listCode: list.code, itemId: item.id }
  }

  it('walks draft → pending_review → returned → (edited) pending_review → approved → granted, recording every transition', async () => {
    const operator = await actorOf(t.db, 'operator')
    const bureau = await actorOf(t.db, 'bureau')
    const scjg = await actorOf(t.db, 'scjg')
    const list = unwrap(await createDemandList(t.db, { actor: operator, title: '第三批' }))
    expect(list.code).toMatch(/^XQ-\d{4}-\d{4}$/)
    const item = unwrap(
      await addDemandItem(t.db, {
        actor: operator,
        listCode: list.code,
        input: {
          datasetCode: DEMO_UNAUTHORIZED_DATASET,
          dataDescription: '年报',
          retrievalMethod: 'file',
          usageScenario: '核验',
        },
      }),
    )
    const empty = unwrap(await createDemandList(t.db, { actor: operator, title: 'empty' }))
    const refusedEmpty = await submitDemandList(t.db, { actor: operator, listCode: empty.code })
    expect(refusedEmpty.ok || refusedEmpty.error.code).toBe('demand_list_empty')

    unwrap(await submitDemandList(t.db, { actor: operator, listCode: list.code }))
    expect((await listDemandItems(t.db, { states: ['pending_review'] })).map((i) => i.id)).toContain(item.id)

    const noComment = await reviewDemandItem(t.db, { actor: bureau, itemId: item.id, decision: 'return', comment: '  ' })
    expect(noComment.ok || noComment.error).toMatchObject({ code: 'comment_required', fields: { comment: 'required' } })
    unwrap(await reviewDemandItem(t.db, { actor: bureau, itemId: item.id, decision: 'return', comment: '请写明使用场景' }))
    unwrap(
      await updateDemandItem(t.db, {
        actor: operator,
        itemId: item.id,
        input: {
          datasetCode: DEMO_UNAUTHORIZED_DATASET,
          dataDescription: '年报',
          retrievalMethod: 'file',
          usageScenario: '银行小微企业贷前核验',
        },
      }),
    )
    unwrap(await resubmitDemandItem(t.db, { actor: operator, itemId: item.id }))
    unwrap(await reviewDemandItem(t.db, { actor: bureau, itemId: item.id, decision: 'approve' }))
    const startsAt = Date.now()
    const granted = unwrap(
      await grantAuthorization(t.db, {
        actor: scjg,
        itemId: item.id,
        deliveryMode: 'file',
        startsOn: formatDay(startsAt),
        termMonths: 36,
        now: startsAt,
      }),
    )
    expect(granted.code).toMatch(/^SQ-\d{4}-\d{4}$/)
    expect(granted.datasetCode).toBe(DEMO_UNAUTHORIZED_DATASET)

    const transitions = await t.db
      .select()
      .from(demandItemTransitions)
      .where(eq(demandItemTransitions.itemId, item.id))
      .orderBy(asc(demandItemTransitions.at), asc(sql`rowid`))
    expect(transitions.map((x) => [x.fromState, x.toState, x.actorLabel, x.role])).toEqual([
      ['draft', 'pending_review', 'operator', 'operator'],
      ['pending_review', 'returned', 'bureau', 'bureau'],
      ['returned', 'pending_review', 'operator', 'operator'],
      ['pending_review', 'approved', 'bureau', 'bureau'],
      ['approved', 'granted', 'scjg', 'source_unit'],
    ])
    expect(transitions.find((x) => x.toState === 'returned')?.comment).toBe('请写明使用场景')
    const [row] = await t.db.select().from(demandItems).where(eq(demandItems.id, item.id))
    expect(row).toMatchObject({ state: 'granted', grantedDeliveryMode: 'file', usageScenario: '银行小微企业贷前核验' })
    const [auth] = await t.db.select().from(authorizations).where(eq(authorizations.code, granted.code))
    expect(auth).toMatchObject({
      state: 'active',
      demandItemId: item.id,
      deliveryMode: 'file',
      startsAt,
      grantedByUserId: scjg.id,
    })
    // The only item was decided: the list is closed.
    const [closed] = await t.db.select().from(demandLists).where(eq(demandLists.code, list.code))
    expect(closed?.state).toBe('closed')
    // Each transition has its audit entry.
    const actions = (
      await t.db
        .select({ action: auditLog.action })
        .from(auditLog)
        .where(eq(auditLog.objectId, item.id))
        .orderBy(asc(auditLog.seq))
    ).map((a) => a.action)
    expect(actions).toEqual([
      'demand_item.add',
      'demand_item.return',
      'demand_item.update',
      'demand_item.resubmit',
      'demand_item.approve',
    ])
  })

  it('refuses a term over 3 years, calendar-exact, and accepts exactly 3 years', async () => {
    const scjg = await actorOf(t.db, 'scjg')
    const { itemId } = await approvedItem()
    const startsAt = Date.UTC(2026, 1, 28, 16) // 2026-03-01 00:00 in Shanghai
    const limit = addCalendarMonths(startsAt, 36)
    expect(limit).toBe(Date.UTC(2029, 1, 28, 16)) // 2029-03-01 00:00 in Shanghai
    const tooLong = await grantAuthorization(t.db, {
      actor: scjg,
      itemId,
      deliveryMode: 'file',
      startsOn: '2026-03-01',
      termMonths: 37,
      now: startsAt,
    })
    expect(tooLong.ok).toBe(false)
    if (!tooLong.ok) expect(tooLong.error).toMatchObject({ code: 'term_too_long', fields: { termMonths: 'term_too_long' } })
    expect(await t.db.select().from(authorizations).where(eq(authorizations.demandItemId, itemId))).toEqual([])
    const [item] = await t.db.select({ state: demandItems.state }).from(demandItems).where(eq(demandItems.id, itemId))
    expect(item?.state).toBe('approved')
    const exact = await grantAuthorization(t.db, {
      actor: scjg,
      itemId,
      deliveryMode: 'file',
      startsOn: '2026-03-01',
      termMonths: 36,
      now: startsAt,
    })
    expect(exact.ok).toBe(true)
    const [granted] = await t.db.select().from(authorizations).where(eq(authorizations.demandItemId, itemId))
    expect(granted).toMatchObject({ startsAt, endsAt: limit })
  })

  it('accepts a refusal only with its legal basis: citation and explanation (Art. 15)', async () => {
    const scjg = await actorOf(t.db, 'scjg')
    const { itemId, listCode } = await approvedItem()
    const base = { actor: scjg, itemId }
    const none = await refuseDemandItem(t.db, { ...base, citation: '', explanation: ' ' })
    expect(none.ok || none.error).toMatchObject({
      code: 'legal_basis_required',
      fields: { citation: 'required', explanation: 'required' },
    })
    const noExplanation = await refuseDemandItem(t.db, { ...base, citation: '《个人信息保护法》第十三条', explanation: '' })
    expect(noExplanation.ok || noExplanation.error).toMatchObject({
      code: 'legal_basis_required',
      fields: { explanation: 'required' },
    })
    const noCitation = await refuseDemandItem(t.db, { ...base, citation: '', explanation: '涉及个人信息' })
    expect(noCitation.ok || noCitation.error).toMatchObject({ code: 'legal_basis_required', fields: { citation: 'required' } })
    expect((await t.db.select({ state: demandItems.state }).from(demandItems).where(eq(demandItems.id, itemId)))[0]?.state).toBe(
      'approved',
    )

    // Placeholders and a citation that names no law are refused next to their fields (issue 16), and change nothing.
    const placeholder = await refuseDemandItem(t.db, { ...base, citation: '无', explanation: '不适用' })
    expect(placeholder.ok || placeholder.error).toMatchObject({
      code: 'invalid_refusal',
      fields: { citation: 'placeholder', explanation: 'placeholder' },
    })
    const unnamed = await refuseDemandItem(t.db, { ...base, citation: '我们不同意', explanation: '缺少个人同意或其他合法性基础' })
    expect(unnamed.ok || unnamed.error).toMatchObject({ fields: { citation: 'no_source_named' } })
    expect((await t.db.select().from(demandItems).where(eq(demandItems.id, itemId)))[0]!.state).toBe('approved')
    unwrap(
      await refuseDemandItem(t.db, {
        ...base,
        citation: '《个人信息保护法》第十三条',
        explanation: '缺少个人同意或其他合法性基础',
      }),
    )
    const [item] = await t.db.select().from(demandItems).where(eq(demandItems.id, itemId))
    expect(item).toMatchObject({
      state: 'refused',
      refusalCitation: '《个人信息保护法》第十三条',
      refusalExplanation: '缺少个人同意或其他合法性基础',
    })
    const [list] = await listDemandItems(t.db, { listCode })
    expect(list?.transitions[0]).toMatchObject({ from: 'approved', to: 'refused', actorLabel: 'scjg', role: 'source_unit' })
  })

  it('least privilege: a source unit sees and decides only its own items', async () => {
    const scjg = await actorOf(t.db, 'scjg')
    const mine = await approvedItem()
    const theirs = await approvedItem({ unit: 'tax' })
    const queue = await listDemandItems(t.db, { states: ['approved'], sourceUnitId: scjg.sourceUnitId })
    expect(queue.map((i) => i.id)).toContain(mine.itemId)
    expect(queue.map((i) => i.id)).not.toContain(theirs.itemId)
    expect(queue.every((i) => i.sourceUnitCode === 'market-regulation')).toBe(true)

    const startsAt = Date.now()
    const grant = await grantAuthorization(t.db, {
      actor: scjg,
      itemId: theirs.itemId,
      deliveryMode: 'file',
      startsOn: formatDay(startsAt),
      termMonths: 12,
      datasetCode: 'DS-SW-0001',
    })
    expect(grant.ok || grant.error.code).toBe('demand_item_not_found')
    const refuse = await refuseDemandItem(t.db, {
      actor: scjg,
      itemId: theirs.itemId,
      citation: '《中华人民共和国数据安全法》第二十一条',
      explanation: '该数据属于重要数据，不宜授权运营',
    })
    expect(refuse.ok || refuse.error.code).toBe('demand_item_not_found')
    expect(
      (await t.db.select({ state: demandItems.state }).from(demandItems).where(eq(demandItems.id, theirs.itemId)))[0]?.state,
    ).toBe('approved')

    // Its authorizations list holds only its own datasets.
    const own = await listAuthorizations(t.db, { sourceUnitId: scjg.sourceUnitId })
    expect(own.length).toBeGreaterThan(0)
    expect(own.every((a) => a.sourceUnitCode === 'market-regulation')).toBe(true)
  })

  it('a described item is granted on a dataset the unit names, which must be its own', async () => {
    const taxUnit = await unitId(t.db, 'tax')
    const tax: Actor = { id: null, label: 'tax-user', role: 'source_unit', sourceUnitId: taxUnit }
    const { itemId } = await approvedItem({ unit: 'tax' })
    const startsAt = Date.now()
    const base = {
      actor: tax,
      itemId,
      deliveryMode: 'table' as const,
      startsOn: formatDay(startsAt),
      termMonths: 6,
      now: startsAt,
    }
    const missing = await grantAuthorization(t.db, base)
    expect(missing.ok || missing.error).toMatchObject({ code: 'dataset_required', fields: { datasetCode: 'required' } })
    const foreign = await grantAuthorization(t.db, { ...base, datasetCode: 'DS-SCJG-0001' })
    expect(foreign.ok || foreign.error).toMatchObject({ code: 'dataset_required', fields: { datasetCode: 'not_found' } })
    expect(unwrap(await grantAuthorization(t.db, { ...base, datasetCode: 'DS-SW-0001' })).datasetCode).toBe('DS-SW-0001')
  })

  it('only approved items can be decided, only pending ones reviewed, only drafts and returned ones edited', async () => {
    const scjg = await actorOf(t.db, 'scjg')
    const bureau = await actorOf(t.db, 'bureau')
    const operator = await actorOf(t.db, 'operator')
    const { itemId } = await approvedItem({ approve: false })
    const startsAt = Date.now()
    const early = await grantAuthorization(t.db, {
      actor: scjg,
      itemId,
      deliveryMode: 'file',
      startsOn: formatDay(startsAt),
      termMonths: 1,
      now: startsAt,
    })
    expect(early.ok || early.error.code).toBe('demand_item_not_approved')
    const edit = await updateDemandItem(t.db, {
      actor: operator,
      itemId,
      input: { datasetCode: 'DS-SW-0001', dataDescription: 'x', retrievalMethod: 'file', usageScenario: 'y' },
    })
    expect(edit.ok || edit.error.code).toBe('demand_item_not_editable')
    unwrap(await reviewDemandItem(t.db, { actor: bureau, itemId, decision: 'approve' }))
    const twice = await reviewDemandItem(t.db, { actor: bureau, itemId, decision: 'approve' })
    expect(twice.ok || twice.error.code).toBe('demand_item_not_pending')
  })

  it('the seeded demo puts an item in every queue', async () => {
    const scjg = await actorOf(t.db, 'scjg')
    expect(await listDemandItems(t.db, { states: ['pending_review'] })).not.toHaveLength(0)
    expect(await listDemandItems(t.db, { states: ['approved'], sourceUnitId: scjg.sourceUnitId })).not.toHaveLength(0)
    expect(await listDemandItems(t.db, { states: ['draft', 'returned'] })).not.toHaveLength(0)
    const refused = await listDemandItems(t.db, { states: ['refused'] })
    expect(refused[0]?.refusalCitation).toContain('税收征收管理法')
    const lists = await listDemandLists(t.db)
    expect(lists.map((l) => l.state).sort()).toEqual(['draft', 'submitted'])
  })
})
