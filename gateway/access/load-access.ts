import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { apiKeys, datasets, partners, plans, productDatasets, products, sourceUnits, subscriptions } from '#db/schema/index.ts'
import { compileIpAllowlist, type IpAllowlist } from '#platform/api-keys/ip-allowlist.ts'

export interface KeyAccess {
  id: string
  partnerId: string
  partnerState: 'active' | 'suspended' | 'exited'
  expiresAt: number | null
  revokedAt: number | null
  /** Compiled CIDR list; null = any address. */
  ipAllowlist: IpAllowlist | null
}

export async function loadKeyByHash(db: Db, keyHash: string): Promise<KeyAccess | null> {
  const [row] = await db
    .select({
      id: apiKeys.id,
      partnerId: apiKeys.partnerId,
      partnerState: partners.state,
      expiresAt: apiKeys.expiresAt,
      revokedAt: apiKeys.revokedAt,
      ipAllowlist: apiKeys.ipAllowlist,
    })
    .from(apiKeys)
    .innerJoin(partners, eq(partners.id, apiKeys.partnerId))
    .where(eq(apiKeys.keyHash, keyHash))
    .limit(1)
  return row ? { ...row, ipAllowlist: compileIpAllowlist(row.ipAllowlist) } : null
}

export interface ProductAccess {
  id: string
  code: string
  state: 'draft' | 'under_review' | 'published' | 'retired'
  suspendedAt: number | null
  datasetCodes: string
  sourceUnitCodes: string
}

export async function loadProductByCode(db: Db, code: string): Promise<ProductAccess | null> {
  const [row] = await db
    .select({
      id: products.id,
      code: products.code,
      state: products.state,
      suspendedAt: products.suspendedAt,
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
  rateLimitPerMinute: number
  /** null = unlimited. */
  monthlyQuota: number | null
  distinctSubjectsPerDay: number
}

// A subscription whose plan row is missing gets the most conservative seeded plan's limits.
const FALLBACK_LIMITS = { rateLimitPerMinute: 60, monthlyQuota: 1_000, distinctSubjectsPerDay: 100 }

/** The partner's live subscription to a product, with its plan's limits: an active one wins over a pending one. */
export async function loadSubscription(db: Db, partnerId: string, productId: string): Promise<SubscriptionAccess | null> {
  const rows = await db
    .select({
      id: subscriptions.id,
      purpose: subscriptions.purpose,
      state: subscriptions.state,
      rateLimitPerMinute: plans.rateLimitPerMinute,
      monthlyQuota: plans.monthlyQuota,
      distinctSubjectsPerDay: plans.distinctSubjectsPerDay,
      hasPlan: plans.code,
    })
    .from(subscriptions)
    .leftJoin(plans, eq(plans.code, subscriptions.planCode))
    .where(and(eq(subscriptions.partnerId, partnerId), eq(subscriptions.productId, productId)))
  const row = rows.find((r) => r.state === 'active') ?? rows.find((r) => r.state === 'pending')
  if (!row) return null
  const { hasPlan, ...sub } = row
  if (hasPlan === null) return { ...sub, ...FALLBACK_LIMITS }
  return {
    ...sub,
    rateLimitPerMinute: sub.rateLimitPerMinute ?? FALLBACK_LIMITS.rateLimitPerMinute,
    monthlyQuota: sub.monthlyQuota,
    distinctSubjectsPerDay: sub.distinctSubjectsPerDay ?? FALLBACK_LIMITS.distinctSubjectsPerDay,
  }
}
