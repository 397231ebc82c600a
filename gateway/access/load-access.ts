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
  /** The subscription the key serves (ADR 0032); null or absent = a partner-wide key of before scenarios. */
  subscriptionId?: string | null
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
      subscriptionId: apiKeys.subscriptionId,
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
  /** A cancelled subscription answers until then (ADR 0032); null or absent = no end. */
  endsAt?: number | null
}

// A subscription whose plan row is missing gets the most conservative seeded plan's limits.
const FALLBACK_LIMITS = { rateLimitPerMinute: 60, monthlyQuota: 1_000, distinctSubjectsPerDay: 100 }

/**
 * The subscription a call runs under, with the limits of its plan version in force at `at` (a plan change from the
 * next period takes over at `planChangesAt`: ADR 0032). A key bound to a subscription (ADR 0032) gets that one, and
 * only for its own product; a partner-wide key of before scenarios gets the partner's live subscription to the
 * product: an active one wins over a pending one, one not past its end over one that is, then the oldest.
 */
export async function loadSubscription(
  db: Db,
  opts: { partnerId: string; productId: string; subscriptionId?: string | null; at: number },
): Promise<SubscriptionAccess | null> {
  const rows = await db
    .select({
      id: subscriptions.id,
      purpose: subscriptions.purpose,
      state: subscriptions.state,
      endsAt: subscriptions.endsAt,
      createdAt: subscriptions.createdAt,
      planCode: subscriptions.planCode,
      planVersion: subscriptions.planVersion,
      nextPlanCode: subscriptions.nextPlanCode,
      nextPlanVersion: subscriptions.nextPlanVersion,
      planChangesAt: subscriptions.planChangesAt,
    })
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.partnerId, opts.partnerId),
        eq(subscriptions.productId, opts.productId),
        opts.subscriptionId ? eq(subscriptions.id, opts.subscriptionId) : undefined,
      ),
    )
  const rank = (r: (typeof rows)[number]) =>
    (r.state === 'active' ? 0 : r.state === 'pending' ? 2 : 4) + (r.endsAt !== null && r.endsAt <= opts.at ? 1 : 0)
  const live = rows
    .filter((r) => r.state === 'active' || r.state === 'pending' || opts.subscriptionId)
    .sort((a, b) => rank(a) - rank(b) || a.createdAt - b.createdAt)
  const row = live[0]
  if (!row) return null
  const isChanged = row.nextPlanCode !== null && row.planChangesAt !== null && row.planChangesAt <= opts.at
  const code = isChanged && row.nextPlanCode !== null ? row.nextPlanCode : row.planCode
  const version = isChanged ? (row.nextPlanVersion ?? 1) : row.planVersion
  const [plan] = await db
    .select({
      rateLimitPerMinute: plans.rateLimitPerMinute,
      monthlyQuota: plans.monthlyQuota,
      distinctSubjectsPerDay: plans.distinctSubjectsPerDay,
    })
    .from(plans)
    .where(and(eq(plans.code, code), eq(plans.version, version)))
    .limit(1)
  const sub = { id: row.id, purpose: row.purpose, state: row.state, endsAt: row.endsAt }
  return plan ? { ...sub, ...plan } : { ...sub, ...FALLBACK_LIMITS }
}
