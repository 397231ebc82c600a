import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { drizzle } from 'drizzle-orm/libsql'
import { asc, eq } from 'drizzle-orm'
import * as schema from '#db/schema/index.ts'
import { nativeStoreOf } from '#db/native.ts'
import type { Db } from '#db/client.ts'
import { createProductOperations } from '#gateway/products/index.ts'
import type { OperationContext } from '#gateway/products/product-operation.ts'
import { createDatasetRules } from '#gateway/products/dataset-rules.ts'
import { UsageRecorder } from '#gateway/metering/usage-recorder.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { plainEnterprise } from '#test/support/plain-city.ts'

// ADR 0011: on the embedded file the hot statements run on a native connection; with a libsql server they take the
// client path. Both must answer the same.
describe('native hot path and its client fallback', () => {
  let t: TestDatabase
  let plain: Db
  beforeEach(async () => {
    t = await createTestDatabase()
    plain = drizzle(t.client, { schema }) as unknown as Db
  })
  afterEach(() => t.destroy())

  it('has a native store only on the handle opened for a file', () => {
    expect(nativeStoreOf(t.db)).toBeDefined()
    expect(nativeStoreOf(plain)).toBeUndefined()
  })

  it('answers the verifications and the credit profile identically on both paths', async () => {
    const [enterprise] = await t.db
      .select({ uscc: schema.cityEnterprises.uscc, name: schema.cityEnterprises.name })
      .from(schema.cityEnterprises)
      .where(eq(schema.cityEnterprises.status, 'active'))
      .orderBy(asc(schema.cityEnterprises.uscc))
      .limit(1)
    const datasetRules = createDatasetRules(t.db)
    // The rules of the operation's product, as the pipeline passes them.
    const ctx = async (productCode: string, over: Partial<OperationContext>): Promise<OperationContext> => {
      const [product] = await t.db
        .select({ id: schema.products.id })
        .from(schema.products)
        .where(eq(schema.products.code, productCode))
      return {
        body: undefined,
        params: {},
        query: new URLSearchParams(),
        requestId: 'req_test',
        caller: { apiKeyId: 'k', partnerId: 'p', subscriptionId: 's', purpose: 'industrial' },
        datasets: await datasetRules(product!.id),
        now: Date.now(),
        ...over,
      }
    }
    // The representative as generated (the store holds them sealed): one true and one false check.
    const rep = plainEnterprise(enterprise!.uscc)
    const representative = { uscc: rep.uscc, personName: rep.legalRepName, idNumber: rep.legalRepIdCard }
    const answers: unknown[] = []
    for (const [operationId, over] of [
      ['verifyEnterprise', { body: enterprise }],
      ['verifyLegalRepresentative', { body: representative }],
      ['verifyLegalRepresentative', { body: { ...representative, personName: `${rep.legalRepName}明` } }],
      ['verifyEnterprise', { body: { ...enterprise, name: enterprise!.name + '分公司' } }],
      ['getEnterpriseCreditProfile', { params: { uscc: enterprise!.uscc } }],
    ] as const) {
      const nativeOp = createProductOperations(t.db).find((o) => o.operationId === operationId)!
      const clientOp = createProductOperations(plain).find((o) => o.operationId === operationId)!
      const a = await nativeOp.handle(await ctx(nativeOp.productCode, over))
      const b = await clientOp.handle(await ctx(clientOp.productCode, over))
      expect(a.body).toEqual(b.body)
      expect(a.meters).toEqual(b.meters)
      answers.push(a.body)
    }
    expect(answers.slice(0, 4)).toEqual([{ match: true }, { match: true }, { match: false }, { match: false }])
  })

  it('commits usage events on both paths', async () => {
    const [sub] = await t.db.select().from(schema.subscriptions).where(eq(schema.subscriptions.state, 'active')).limit(1)
    const event = (id: string) => ({
      id,
      at: Date.now(),
      requestId: `req_${id}`,
      apiKeyId: 'key',
      subscriptionId: sub!.id,
      partnerId: sub!.partnerId,
      productId: sub!.productId,
      purpose: 'industrial' as const,
      operation: 'verifyEnterprise',
      status: 200,
    })
    for (const [db, id] of [
      [t.db, 'via-native'],
      [plain, 'via-client'],
    ] as const) {
      const recorder = new UsageRecorder(db)
      await recorder.record(event(id))
      await recorder.close()
    }
    const rows = await t.db.select({ id: schema.usageEvents.id }).from(schema.usageEvents)
    expect(rows.map((r) => r.id).sort()).toEqual(['via-client', 'via-native'])
  })
})
