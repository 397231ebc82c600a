import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { apiKeys, cityEnterprises, partners, products, subscriptions, usageEvents } from '#db/schema/index.ts'
import { createGateway, type Gateway } from '#gateway/create-gateway.ts'
import { generateApiKey } from '#platform/api-keys/api-key-format.ts'
import { VERIFY_ENTERPRISE_PRODUCT } from '#gateway/products/verify-enterprise.ts'
import { fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { createTestDatabase, type TestDatabase } from './test-database.ts'
import { acceptDemoAgreements } from '#seed/seed-agreements-demo.ts'

export interface ScenarioPartner {
  partnerId: string
  subscriptionId: string
  key: string
  productId: string
  purpose: 'industrial' | 'public_interest'
}

export interface BillingHarness {
  database: TestDatabase
  db: Db
  gateway: Gateway
  baseUrl: string
  /** The gateway's clock: every call is stamped with it. */
  clock: { now: number }
  productId: string
  /** Creates a partner with an active subscription to the verification product and an API key. */
  addPartner(code: string, purpose: 'industrial' | 'public_interest', opts?: { subscribedAt?: number }): Promise<ScenarioPartner>
  /** `count` answered calls at `at` (the clock is set to it), through the gateway over HTTP. */
  calls(partner: ScenarioPartner, at: number, count: number): Promise<void>
  stop(): Promise<void>
}

/** A published product of the test's own (no gateway operation serves it: its usage is inserted directly). */
export async function addProduct(db: Db, code: string, form: 'service' | 'model' | 'report' = 'service'): Promise<string> {
  const id = randomUUID()
  await db.insert(products).values({
    id,
    code,
    nameZh: `测试产品 ${code}`,
    nameEn: `Test product ${code}`,
    form,
    level: 'L1',
    state: 'published',
    publishedAt: Date.now(),
  })
  return id
}

/** A partner with an active subscription to `productId` and an API key (test data, written directly). */
export async function addPartner(
  db: Db,
  opts: { productId: string; code: string; purpose: 'industrial' | 'public_interest'; subscribedAt?: number },
): Promise<ScenarioPartner> {
  const partnerId = randomUUID()
  const subscriptionId = randomUUID()
  const { key, hash, displayPrefix } = generateApiKey()
  const at = opts.subscribedAt ?? fromLocal(2026, 6, 1)
  await db.batch([
    db
      .insert(partners)
      .values({ id: partnerId, code: opts.code, name: `场景合作方 ${opts.code}`, kind: 'legal_person', createdAt: at }),
    db.insert(subscriptions).values({
      id: subscriptionId,
      partnerId,
      productId: opts.productId,
      purpose: opts.purpose,
      state: 'active',
      planCode: 'enterprise',
      decidedAt: at,
      createdAt: at,
    }),
    db.insert(apiKeys).values({ id: randomUUID(), partnerId, name: 'scenario', keyHash: hash, displayPrefix, createdAt: at }),
  ])
  // A partner answers at the gateway only once it accepted the current agreements (ADR 0031).
  await acceptDemoAgreements(db, partnerId)
  return { partnerId, subscriptionId, key, productId: opts.productId, purpose: opts.purpose }
}

/**
 * Usage events written straight into the table, as the gateway's recorder would (for tests of rating that need
 * no HTTP: many events, exact instants, chosen meters).
 */
export async function insertEvents(
  db: Db,
  partner: ScenarioPartner,
  ats: number[],
  meters: { records?: number; fieldsMasked?: number; exportBytes?: number } = {},
): Promise<void> {
  const rows = ats.map((at) => ({
    id: randomUUID(),
    at,
    requestId: `req_${randomUUID().replace(/-/g, '')}`,
    apiKeyId: 'test',
    subscriptionId: partner.subscriptionId,
    partnerId: partner.partnerId,
    productId: partner.productId,
    purpose: partner.purpose,
    operation: 'test',
    status: 200,
    records: meters.records ?? 0,
    fieldsMasked: meters.fieldsMasked ?? 0,
    exportBytes: meters.exportBytes ?? 0,
  }))
  for (let i = 0; i < rows.length; i += 500) await db.insert(usageEvents).values(rows.slice(i, i + 500))
}

/**
 * The gateway over HTTP with a controlled clock, on a private database copy, for replaying whole months of usage
 * (createGateway's `now`). Partners made here are the scenario's own, so nothing seeded can add lines to their invoices.
 */
export async function startBillingHarness(): Promise<BillingHarness> {
  const database = await createTestDatabase()
  const db = database.db
  const clock = { now: Date.now() }
  const gateway = createGateway({ db, now: () => clock.now })
  const server: Server = createServer((req, res) => gateway.handle(req, res))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const [product] = await db.select({ id: products.id }).from(products).where(eq(products.code, VERIFY_ENTERPRISE_PRODUCT))
  const [enterprise] = await db.select({ uscc: cityEnterprises.uscc, name: cityEnterprises.name }).from(cityEnterprises).limit(1)
  if (!product || !enterprise) throw new Error('the seeded verification product and enterprises are missing')

  return {
    database,
    db,
    gateway,
    baseUrl,
    clock,
    productId: product.id,
    addPartner: (code, purpose, opts = {}) =>
      addPartner(db, { productId: product.id, code, purpose, subscribedAt: opts.subscribedAt }),
    async calls(partner, at, count) {
      clock.now = at
      for (let i = 0; i < count; i++) {
        const res = await fetch(`${baseUrl}/api/v1/verifications/enterprise`, {
          method: 'POST',
          headers: { authorization: `Bearer ${partner.key}`, 'content-type': 'application/json' },
          body: JSON.stringify(enterprise),
        })
        if (res.status !== 200) throw new Error(`call answered ${res.status}: ${await res.text()}`)
        await res.arrayBuffer().catch(() => undefined)
      }
    },
    async stop() {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
      await gateway.close()
      database.destroy()
    },
  }
}
