import { desc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { apiKeys } from '#db/schema/index.ts'

/** A partner's keys: never the key or its hash, only what identifies it. */
export async function listApiKeys(db: Db, opts: { partnerId: string }) {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      displayPrefix: apiKeys.displayPrefix,
      createdAt: apiKeys.createdAt,
      expiresAt: apiKeys.expiresAt,
      revokedAt: apiKeys.revokedAt,
      lastUsedAt: apiKeys.lastUsedAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.partnerId, opts.partnerId))
    .orderBy(desc(apiKeys.createdAt))
}
