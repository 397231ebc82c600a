import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { apiKeys, datasets, partners, productDatasets, products, sourceUnits, subscriptions } from '#db/schema/index.ts'

export interface KeyAccess {
  id: string
  partnerId: string
  partnerState: 'active' | 'suspended' | 'exited'
  displayPrefix: string
  expiresAt: number | null
  revokedAt: number | null
}

export async function loadKeyByHash(db: Db, keyHash: string): Promise<KeyAccess | null> {
  const [row] = await db
    .select({
      id: apiKeys.id,
      partnerId: apiKeys.partnerId,
      partnerState: partners.state,
      displayPrefix: apiKeys.displayPrefix,
      expiresAt: apiKeys.expiresAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .innerJoin(partners, eq(partners.id, apiKeys.partnerId))
    .where(eq(apiKeys.keyHash, keyHash))
    .limit(1)
  return row ?? null
}

export interface ProductAccess {
  id: string
  code: string
  state: 'draft' | 'under_review' | 'published' | 'retired'
  level: string
  datasetCodes: string
  sourceUnitCodes: string
}

export async function loadProductByCode(db: Db, code: string): Promise<ProductAccess | null> {
  const [row] = await db
    .select({
      id: products.id,
      code: products.code,
      state: products.state,
      level: products.level,
      datasetCodes: sql<string>`coalesce(group_concat(distinct ${datasets.code}), '')`,
      sourceUnitCodes: sql<string>`coalesce(group_concat(distinct ${sourceUnits.code}), '')`,
    })
    .from(products)
    .leftJoin(productDatasets, eq(productDatasets.productId, products.id))
    .leftJoin(datasets, eq(datasets.id, productDatasets.datasetId))
    .leftJoin(sourceUnits, eq(sourceUnits.id, datasets.sourceUnitId))
    .where(eq(products.code, code))
    .groupBy(products.id)
  return row ?? null
}

export interface SubscriptionAccess {
  id: string
  purpose: 'industrial' | 'public_interest'
  state: 'pending' | 'active' | 'rejected' | 'ended'
}

/** The partner's live subscription to a product: an active one wins over a pending one. */
export async function loadSubscription(db: Db, partnerId: string, productId: string): Promise<SubscriptionAccess | null> {
  const rows = await db
    .select({ id: subscriptions.id, purpose: subscriptions.purpose, state: subscriptions.state })
    .from(subscriptions)
    .where(and(eq(subscriptions.partnerId, partnerId), eq(subscriptions.productId, productId)))
  return rows.find((r) => r.state === 'active') ?? rows.find((r) => r.state === 'pending') ?? null
}
