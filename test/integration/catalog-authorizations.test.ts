import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { count, eq } from 'drizzle-orm'
import {
  auditLog,
  authorizations,
  cityEnterprises,
  cityTaxCreditRatings,
  datasetLoads,
  datasetRecords,
  demandItemTransitions,
  products,
  usageEvents,
} from '#db/schema/index.ts'
import { errorText } from '#platform/error-text.ts'
import { expireAuthorizations } from '#catalog/authorizations/expire-authorizations.ts'
import { terminateAuthorization } from '#catalog/authorizations/terminate-authorization.ts'
import { findProductAuthorizationState } from '#catalog/authorizations/find-product-authorization-state.ts'
import { loadDatasetFile } from '#catalog/datasets/load-dataset-file.ts'
import { loadDatasetTable } from '#catalog/datasets/load-dataset-table.ts'
import { createProduct } from '#catalog/products/create-product.ts'
import { submitProduct } from '#catalog/products/submit-product.ts'
import { reviewProduct } from '#catalog/products/review-product.ts'
import { demoApiKey, startGateway, type GatewayHarness } from '#test/support/gateway-server.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import type { Db } from '#db/client.ts'
import { actorOf, authorizeThroughDemand, registerTestDataset, unwrap } from './catalog-fixtures.ts'

const rows = async (
  db: Db,
  table: typeof cityEnterprises | typeof datasetLoads | typeof usageEvents | typeof demandItemTransitions | typeof auditLog,
) => (await db.select({ n: count() }).from(table))[0]!.n

const retention = (e: unknown) => /log_retention/.test(errorText(e))

/** A published product on a freshly registered, authorized and loaded file dataset. */
async function publishedOnNewDataset(db: Db, months = 12, startsAt = Date.now()) {
  const ds = await registerTestDataset(db)
  const grant = await authorizeThroughDemand(db, { datasetCode: ds.code, granter: await actorOf(db, 'scjg'), months, startsAt })
  const operator = await actorOf(db, 'operator')
  unwrap(
    await loadDatasetFile(db, {
      actor: operator,
      datasetCode: ds.code,
      fileName: 'p.csv',
      content: 'id_card,name\n210102199001011234,张伟\n210102198502022345,李娜\n',
      now: startsAt,
    }),
  )
  const code = `people-check-${ds.code.toLowerCase()}`
  unwrap(
    await createProduct(db, {
      actor: operator,
      input: { code, nameZh: '人员核验', nameEn: 'People check', form: 'verification', datasetCodes: [ds.code] },
    }),
  )
  unwrap(await submitProduct(db, { actor: operator, code }))
  unwrap(await reviewProduct(db, { actor: await actorOf(db, 'bureau'), code, decision: 'approve', now: startsAt }))
  const [product] = await db.select({ id: products.id }).from(products).where(eq(products.code, code))
  return { ds, grant, productId: product!.id, code }
}

describe('authorization end (Art. 17): access closes, data deleted, logs kept', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  it('the expiry job ends a due authorization: the product stops, no row of the dataset stays, the logs remain', async () => {
    const startsAt = Date.now()
    const { ds, grant, productId } = await publishedOnNewDataset(t.db, 6, startsAt)
    const [auth] = await t.db.select().from(authorizations).where(eq(authorizations.code, grant.code))
    expect(await findProductAuthorizationState(t.db, { productId, now: auth!.endsAt - 1 })).toEqual({
      ok: true,
      endedDatasetCodes: [],
      suspendedDatasetCodes: [],
      authorizationCodes: [grant.code],
    })
    // At the end of the term access closes even before the job has run.
    expect(await findProductAuthorizationState(t.db, { productId, now: auth!.endsAt })).toEqual({
      ok: false,
      endedDatasetCodes: [ds.code],
      suspendedDatasetCodes: [],
      authorizationCodes: [],
    })

    const loadsBefore = await rows(t.db, datasetLoads)
    const transitionsBefore = await rows(t.db, demandItemTransitions)
    expect(await expireAuthorizations(t.db, { now: auth!.endsAt - 1 })).toEqual([])
    const expired = await expireAuthorizations(t.db, { now: auth!.endsAt })
    expect(expired).toEqual([{ code: grant.code, datasetCode: ds.code, endsAt: auth!.endsAt, rowsDeleted: 2, dataKept: false }])
    expect(await t.db.select().from(datasetRecords).where(eq(datasetRecords.datasetId, ds.id))).toEqual([])
    const [after] = await t.db.select().from(authorizations).where(eq(authorizations.code, grant.code))
    expect(after).toMatchObject({
      state: 'expired',
      endedReason: 'term_ended',
      rowsDeleted: 2,
      dataDeletedAt: auth!.endsAt,
      endedAt: auth!.endsAt,
    })
    expect(await findProductAuthorizationState(t.db, { productId, now: auth!.endsAt - 1 })).toMatchObject({ ok: false })
    expect(await rows(t.db, datasetLoads)).toBe(loadsBefore)
    expect(await rows(t.db, demandItemTransitions)).toBe(transitionsBefore)
    const [entry] = await t.db.select().from(auditLog).where(eq(auditLog.action, 'authorization.expire'))
    expect(JSON.parse(entry!.detail!)).toMatchObject({ code: grant.code, rowsDeleted: 2 })
    // Idempotent: nothing more to do.
    expect(await expireAuthorizations(t.db, { now: auth!.endsAt + 86_400_000 })).toEqual([])
    // The ended dataset cannot be reloaded.
    const reload = await loadDatasetFile(t.db, {
      actor: await actorOf(t.db, 'operator'),
      datasetCode: ds.code,
      fileName: 'p.csv',
      content: 'id_card,name\n1,x\n',
    })
    expect(reload.ok || reload.error.code).toBe('dataset_not_authorized')
  })

  it('keeps the data when a renewal of the same dataset is already in force', async () => {
    const startsAt = Date.now()
    const { ds, grant } = await publishedOnNewDataset(t.db, 6, startsAt)
    const renewal = await authorizeThroughDemand(t.db, {
      datasetCode: ds.code,
      granter: await actorOf(t.db, 'scjg'),
      months: 36,
      startsAt,
    })
    const [auth] = await t.db.select().from(authorizations).where(eq(authorizations.code, grant.code))
    const expired = await expireAuthorizations(t.db, { now: auth!.endsAt })
    expect(expired).toEqual([{ code: grant.code, datasetCode: ds.code, endsAt: auth!.endsAt, rowsDeleted: 0, dataKept: true }])
    expect(await t.db.select({ n: count() }).from(datasetRecords).where(eq(datasetRecords.datasetId, ds.id))).toEqual([{ n: 2 }])
    expect((await t.db.select().from(authorizations).where(eq(authorizations.code, renewal.code)))[0]?.state).toBe('active')
  })

  describe('with the gateway', () => {
    let h: GatewayHarness
    beforeEach(async () => {
      h = await startGateway()
    })
    afterEach(() => h.stop())

    async function verify() {
      const [e] = await h.database.db
        .select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name })
        .from(cityEnterprises)
        .limit(1)
      const res = await fetch(`${h.baseUrl}/api/v1/verifications/enterprise`, {
        method: 'POST',
        headers: { authorization: `Bearer ${demoApiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(e ?? { uscc: '91210102MA0QW8R76J', name: 'x' }),
      })
      return { status: res.status, body: (await res.json()) as { match?: boolean; error?: { code: string } } }
    }

    it('bureau termination closes the product at once, deletes city_enterprises, and keeps every log (within 6 months of the end: undeletable)', async () => {
      const db = h.database.db
      unwrap(await loadDatasetTable(db, { actor: await actorOf(db, 'operator'), datasetCode: 'DS-SCJG-0001' }))
      expect((await verify()).status).toBe(200)
      const enterprisesBefore = await rows(db, cityEnterprises)
      expect(enterprisesBefore).toBe(2000)
      const before = {
        loads: await rows(db, datasetLoads),
        events: await rows(db, usageEvents),
        transitions: await rows(db, demandItemTransitions),
      }
      expect(before.events).toBeGreaterThan(0)

      const bureau = await actorOf(db, 'bureau')
      const noReason = await terminateAuthorization(db, { actor: bureau, code: 'SQ-SCJG-0001', reason: ' ' })
      expect(noReason.ok || noReason.error).toMatchObject({ code: 'reason_required', fields: { reason: 'required' } })
      const ended = unwrap(
        await terminateAuthorization(db, {
          actor: bureau,
          code: 'SQ-SCJG-0001',
          reason: '数源单位报告数据安全风险（第二十六条）',
        }),
      )
      expect(ended).toEqual({ code: 'SQ-SCJG-0001', datasetCode: 'DS-SCJG-0001', rowsDeleted: 2000 })
      const again = await terminateAuthorization(db, { actor: bureau, code: 'SQ-SCJG-0001', reason: 'again' })
      expect(again.ok || again.error.code).toBe('authorization_not_active')

      // Access closes once the gateway's 500 ms cache expires (its 1 s promise is tested in gateway-two-processes).
      const answer = await vi.waitFor(
        async () => {
          const a = await verify()
          expect(a.status).not.toBe(200)
          return a
        },
        { timeout: 15_000, interval: 100 },
      )
      expect(answer.body.error?.code).toBe('authorization_ended')
      expect(answer.status).toBe(451)

      // No row of the dataset stays; the other store tables are untouched.
      expect(await rows(db, cityEnterprises)).toBe(0)
      expect(await db.select({ n: count() }).from(cityTaxCreditRatings)).not.toEqual([{ n: 0 }])
      // The logs remain…
      expect(await rows(db, datasetLoads)).toBe(before.loads)
      expect(await rows(db, usageEvents)).toBeGreaterThanOrEqual(before.events)
      expect(await rows(db, demandItemTransitions)).toBe(before.transitions)
      const [auth] = await db.select().from(authorizations).where(eq(authorizations.code, 'SQ-SCJG-0001'))
      expect(auth).toMatchObject({
        state: 'terminated',
        rowsDeleted: 2000,
        endedReason: '数源单位报告数据安全风险（第二十六条）',
      })
      expect(auth!.dataDeletedAt).not.toBeNull()
      // …and nothing can delete a log within 6 months of its authorization's end (ADR 0027).
      await expect(db.delete(datasetLoads)).rejects.toSatisfy(retention)
      await expect(db.delete(usageEvents)).rejects.toSatisfy(retention)
      await expect(db.delete(demandItemTransitions)).rejects.toSatisfy(retention)
      await expect(db.delete(auditLog)).rejects.toSatisfy(retention)
      expect(await rows(db, datasetLoads)).toBe(before.loads)
    })
  })

  it('a load log goes 6 calendar months after its time when its dataset has no authorization, not before (ADR 0027)', async () => {
    const day = 86_400_000
    // A dataset of its own, with no authorization: the load's own time counts. 6 calendar months span 181–184 days.
    const datasetId = (await registerTestDataset(t.db)).id
    const base = { datasetId, mode: 'file' as const, trigger: 'manual' as const, actorLabel: 't', state: 'succeeded' as const }
    await t.db.insert(datasetLoads).values([
      { ...base, id: 'old', startedAt: Date.now() - 200 * day },
      { ...base, id: 'young', startedAt: Date.now() - 175 * day },
    ])
    await expect(t.db.delete(datasetLoads).where(eq(datasetLoads.id, 'young'))).rejects.toSatisfy(retention)
    await t.db.delete(datasetLoads).where(eq(datasetLoads.id, 'old'))
    expect(await t.db.select({ id: datasetLoads.id }).from(datasetLoads).where(eq(datasetLoads.id, 'young'))).toHaveLength(1)
    expect(await t.db.select({ id: datasetLoads.id }).from(datasetLoads).where(eq(datasetLoads.id, 'old'))).toHaveLength(0)
  })
})
