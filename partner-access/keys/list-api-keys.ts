import { desc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { apiKeys, users } from '#db/schema/index.ts'

/** `rolled`: replaced by a newer key and past its grace (a roll with no grace is rolled at once, not "expired"). */
export type ApiKeyState = 'active' | 'grace' | 'rolled' | 'expired' | 'revoked'

export interface ApiKeyListing {
  id: string
  name: string
  displayPrefix: string
  createdAt: number
  createdBy: string | null
  expiresAt: number | null
  revokedAt: number | null
  revokedReason: string | null
  replacedByKeyId: string | null
  ipAllowlist: string | null
  lastUsedAt: number | null
  /** `grace`: rolled, still valid until expiresAt. */
  state: ApiKeyState
}

/** A partner's keys, newest first: never the key or its hash, only what identifies it. */
export async function listApiKeys(db: Db, opts: { partnerId: string; now?: number }): Promise<ApiKeyListing[]> {
  const now = opts.now ?? Date.now()
  const rows = await db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      displayPrefix: apiKeys.displayPrefix,
      createdAt: apiKeys.createdAt,
      createdBy: users.username,
      expiresAt: apiKeys.expiresAt,
      revokedAt: apiKeys.revokedAt,
      revokedReason: apiKeys.revokedReason,
      replacedByKeyId: apiKeys.replacedByKeyId,
      ipAllowlist: apiKeys.ipAllowlist,
      lastUsedAt: apiKeys.lastUsedAt,
      // The subscription the key serves (ADR 0032); null = partner-wide.
      subscriptionId: apiKeys.subscriptionId,
    })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.createdByUserId))
    .where(eq(apiKeys.partnerId, opts.partnerId))
    .orderBy(desc(apiKeys.createdAt))
  return rows.map((r) => ({
    ...r,
    state:
      r.revokedAt !== null && r.revokedAt <= now
        ? 'revoked'
        : r.expiresAt !== null && r.expiresAt <= now
          ? r.replacedByKeyId !== null
            ? 'rolled'
            : 'expired'
          : r.replacedByKeyId !== null
            ? 'grace'
            : 'active',
  }))
}
