import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { products } from '#db/schema/index.ts'
import { createProduct } from '#catalog/products/create-product.ts'
import { submitProduct } from '#catalog/products/submit-product.ts'
import { reviewProduct } from '#catalog/products/review-product.ts'
import { retireProduct } from '#catalog/products/retire-product.ts'
import { listProducts } from '#catalog/products/list-products.ts'
import { listPublishedProducts } from '#catalog/products/list-published-products.ts'
import { listCatalogFacets } from '#catalog/products/list-catalog-facets.ts'
import { findPublishedProduct } from '#catalog/products/find-published-product.ts'
import { terminateAuthorization } from '#catalog/authorizations/terminate-authorization.ts'
import { DEMO_UNAUTHORIZED_DATASET } from '#seed/seed-catalog-demo.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { actorOf, authorizeThroughDemand, unwrap } from './catalog-fixtures.ts'

describe('products (Art. 2): draft → under review → published → retired', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  const input = (code: string, datasetCodes: string[]) => ({
    code,
    nameZh: '企业经营核验',
    nameEn: 'Business check',
    descriptionZh: '核验企业经营是否正常',
    descriptionEn: 'Checks that a business operates',
    form: 'verification' as const,
    domain: 'market' as const,
    datasetCodes,
    exampleRequest: '{"uscc":"x"}',
    exampleResponse: '{"ok":true}',
  })

  it('takes the highest level of its datasets and publishes only when every dataset is authorized', async () => {
    const operator = await actorOf(t.db, 'operator')
    const bureau = await actorOf(t.db, 'bureau')
    const created = unwrap(
      await createProduct(t.db, {
        actor: operator,
        input: input('biz-check', ['DS-SCJG-0001', DEMO_UNAUTHORIZED_DATASET, 'DS-RS-0001']),
      }),
    )
    expect(created.level).toBe('L4')
    const early = await reviewProduct(t.db, { actor: bureau, code: 'biz-check', decision: 'approve' })
    expect(early.ok || early.error.code).toBe('product_not_under_review')
    expect(unwrap(await submitProduct(t.db, { actor: operator, code: 'biz-check' })).level).toBe('L4')
    const blocked = await reviewProduct(t.db, { actor: bureau, code: 'biz-check', decision: 'approve' })
    expect(blocked.ok).toBe(false)
    if (!blocked.ok) {
      expect(blocked.error.code).toBe('dataset_not_authorized')
      expect(blocked.error.message).toContain(DEMO_UNAUTHORIZED_DATASET)
      expect(blocked.error.message).not.toContain('DS-SCJG-0001')
    }
    expect((await t.db.select({ state: products.state }).from(products).where(eq(products.code, 'biz-check')))[0]?.state).toBe(
      'under_review',
    )

    await authorizeThroughDemand(t.db, { datasetCode: DEMO_UNAUTHORIZED_DATASET, granter: await actorOf(t.db, 'scjg') })
    const published = unwrap(await reviewProduct(t.db, { actor: bureau, code: 'biz-check', decision: 'approve' }))
    expect(published.state).toBe('published')
    expect(published.registrationCode).toMatch(/^SYGD-CP-\d{4}-\d{4}$/)
    const [row] = await t.db.select().from(products).where(eq(products.code, 'biz-check'))
    expect(row).toMatchObject({ state: 'published', level: 'L4', registrationCode: published.registrationCode })
    expect(row!.publishedAt).not.toBeNull()

    unwrap(await retireProduct(t.db, { actor: operator, code: 'biz-check' }))
    expect((await t.db.select({ state: products.state }).from(products).where(eq(products.code, 'biz-check')))[0]?.state).toBe(
      'retired',
    )
    const twice = await retireProduct(t.db, { actor: bureau, code: 'biz-check' })
    expect(twice.ok || twice.error.code).toBe('product_retired')
  })

  it('the bureau returns a product to draft only with a comment', async () => {
    const operator = await actorOf(t.db, 'operator')
    const bureau = await actorOf(t.db, 'bureau')
    unwrap(await createProduct(t.db, { actor: operator, input: input('biz-two', ['DS-SCJG-0001']) }))
    unwrap(await submitProduct(t.db, { actor: operator, code: 'biz-two' }))
    const bare = await reviewProduct(t.db, { actor: bureau, code: 'biz-two', decision: 'return' })
    expect(bare.ok || bare.error).toMatchObject({ code: 'comment_required', fields: { comment: 'required' } })
    unwrap(await reviewProduct(t.db, { actor: bureau, code: 'biz-two', decision: 'return', comment: '请补充示例' }))
    const [row] = await t.db.select().from(products).where(eq(products.code, 'biz-two'))
    expect(row).toMatchObject({ state: 'draft', reviewComment: '请补充示例', registrationCode: null })
    expect((await listProducts(t.db, { states: ['under_review'] })).map((p) => p.code)).not.toContain('biz-two')
  })

  it('validates the draft: code format and uniqueness, known datasets, JSON examples', async () => {
    const operator = await actorOf(t.db, 'operator')
    const bad = await createProduct(t.db, { actor: operator, input: { ...input('Bad Code', []), exampleRequest: '{nope' } })
    expect(bad.ok || bad.error.fields).toEqual({ code: 'code_format', datasetCodes: 'datasets_required', exampleRequest: 'json' })
    const unknown = await createProduct(t.db, { actor: operator, input: input('biz-three', ['DS-NOPE-0001']) })
    expect(unknown.ok || unknown.error.fields).toEqual({ datasetCodes: 'not_found' })
    const taken = await createProduct(t.db, { actor: operator, input: input('verify-enterprise-identity', ['DS-SCJG-0001']) })
    expect(taken.ok || taken.error.code).toBe('code_taken')
  })

  it('the public catalog filters by text, form, domain and source unit and shows availability', async () => {
    const operator = await actorOf(t.db, 'operator')
    unwrap(
      await createProduct(t.db, {
        actor: operator,
        input: {
          ...input('traffic-stats', ['DS-JT-0001']),
          nameZh: '路段流量统计',
          nameEn: 'Segment traffic statistics',
          descriptionZh: '',
          descriptionEn: '',
          form: 'service',
          domain: 'transport',
        },
      }),
    )
    unwrap(await submitProduct(t.db, { actor: operator, code: 'traffic-stats' }))
    unwrap(await reviewProduct(t.db, { actor: await actorOf(t.db, 'bureau'), code: 'traffic-stats', decision: 'approve' }))
    const all = await listPublishedProducts(t.db)
    expect(all.map((p) => p.code)).toContain('traffic-stats')
    expect(all.map((p) => p.code)).toContain('verify-enterprise-identity')
    expect(all.map((p) => p.code)).not.toContain('district-health-report') // under review
    const searched = (await listPublishedProducts(t.db, { q: '企业身份核验' })).map((p) => p.code)
    expect(searched).toContain('verify-enterprise-identity')
    expect(searched).not.toContain('traffic-stats')
    expect((await listPublishedProducts(t.db, { q: 'enterprise IDENTITY' })).map((p) => p.code)).toContain(
      'verify-enterprise-identity',
    )
    expect(await listPublishedProducts(t.db, { q: '100%_' })).toEqual([])
    expect((await listPublishedProducts(t.db, { form: 'verification' })).map((p) => p.code)).toContain(
      'verify-enterprise-identity',
    )
    expect((await listPublishedProducts(t.db, { form: 'report' })).map((p) => p.code)).not.toContain('verify-enterprise-identity')
    expect((await listPublishedProducts(t.db, { sourceUnit: 'market-regulation' })).map((p) => p.code)).toContain(
      'verify-enterprise-identity',
    )
    expect((await listPublishedProducts(t.db, { sourceUnit: 'tax' })).map((p) => p.code)).not.toContain(
      'verify-enterprise-identity',
    )
    expect((await listPublishedProducts(t.db, { domain: 'market' })).map((p) => p.code)).toContain('verify-enterprise-identity')
    expect((await listPublishedProducts(t.db, { domain: 'health' })).map((p) => p.code)).not.toContain(
      'verify-enterprise-identity',
    )
    expect((await listPublishedProducts(t.db, { sourceUnit: 'transport' })).map((p) => p.code)).toContain('traffic-stats')
    expect((await listPublishedProducts(t.db, { sourceUnit: 'transport' })).map((p) => p.code)).not.toContain(
      'verify-enterprise-identity',
    )
    expect((await listPublishedProducts(t.db, { form: 'service', domain: 'transport' })).map((p) => p.code)).toContain(
      'traffic-stats',
    )
    const facets = await listCatalogFacets(t.db)
    expect(facets.forms).toContain('verification')
    expect(facets.sourceUnits.map((u) => u.code)).toContain('market-regulation')

    const page = await findPublishedProduct(t.db, { code: 'verify-enterprise-identity' })
    expect(page).toMatchObject({ level: 'L2', available: true, apiPath: 'POST /api/v1/verifications/enterprise' })
    expect(page?.datasets.map((d) => d.sourceUnitCode)).toEqual(['market-regulation'])
    expect(await findPublishedProduct(t.db, { code: 'district-health-report' })).toBeNull()
    unwrap(await terminateAuthorization(t.db, { actor: await actorOf(t.db, 'bureau'), code: 'SQ-SCJG-0001', reason: 'test' }))
    expect((await findPublishedProduct(t.db, { code: 'verify-enterprise-identity' }))?.available).toBe(false)
    const listed = await listPublishedProducts(t.db)
    expect(listed.find((p) => p.code === 'verify-enterprise-identity')?.available).toBe(false)
    expect(listed.find((p) => p.code === 'traffic-stats')?.available).toBe(true)
  })
})
