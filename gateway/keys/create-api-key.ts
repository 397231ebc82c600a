import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { apiKeys, partners } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { generateApiKey } from './api-key-format.ts'

export interface CreatedApiKey {
  id: string
  /** Shown once; only its hash is stored. */
  key: string
  displayPrefix: string
}

export async function createApiKey(
  db: Db,
  opts: { partnerId: string; name: string; actor: Actor; expiresAt?: number | null; requestId?: string },
): Promise<Result<CreatedApiKey>> {
  const name = opts.name.trim()
  if (name.length < 1 || name.length > 60) return fail('validation', 'validation_failed', 'Key name must be 1–60 characters', { name: 'length' })
  const [partner] = await db.select({ id: partners.id, state: partners.state }).from(partners).where(eq(partners.id, opts.partnerId)).limit(1)
  if (!partner) return fail('not_found', 'partner_not_found', 'No such partner')
  if (partner.state !== 'active') return fail('conflict', 'partner_not_active', 'The partner is not active')
  const id = randomUUID()
  const { key, hash, displayPrefix } = generateApiKey()
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'api_key.create',
      objectType: 'api_key',
      objectId: id,
      requestId: opts.requestId,
      detail: { partnerId: opts.partnerId, displayPrefix, name },
    },
    [
      db.insert(apiKeys).values({
        id,
        partnerId: opts.partnerId,
        name,
        keyHash: hash,
        displayPrefix,
        createdByUserId: opts.actor.id,
        expiresAt: opts.expiresAt ?? null,
      }),
    ],
  )
  return ok({ id, key, displayPrefix })
}
