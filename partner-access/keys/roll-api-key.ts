import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { apiKeys, partners } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { generateApiKey } from '#platform/api-keys/api-key-format.ts'
import type { CreatedApiKey } from './create-api-key.ts'
import { isOwnPartnerObject, refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/** The longest grace period an old key may keep working after a roll. */
export const MAX_ROLL_GRACE_HOURS = 30 * 24

/**
 * Rolls a key: a new key with the same name, allowlist and expiry; the old key
 * keeps working for `graceHours` (0 = ends now) and then answers key_expired.
 * Both changes and the link old → new (replacedByKeyId) commit in one batch.
 */
export async function rollApiKey(
  db: Db,
  opts: { keyId: string; partnerId: string | null; graceHours: number; actor: Actor; requestId?: string; now?: number },
): Promise<Result<CreatedApiKey & { replacedKeyId: string; oldKeyValidUntil: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'api_key.roll')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  if (!Number.isFinite(opts.graceHours) || opts.graceHours < 0 || opts.graceHours > MAX_ROLL_GRACE_HOURS) {
    return fail('validation', 'validation_failed', `Grace period must be 0–${MAX_ROLL_GRACE_HOURS} hours`, {
      graceHours: 'range',
    })
  }
  const [old] = await db
    .select({
      id: apiKeys.id,
      partnerId: apiKeys.partnerId,
      partnerState: partners.state,
      name: apiKeys.name,
      displayPrefix: apiKeys.displayPrefix,
      expiresAt: apiKeys.expiresAt,
      revokedAt: apiKeys.revokedAt,
      replacedByKeyId: apiKeys.replacedByKeyId,
      ipAllowlist: apiKeys.ipAllowlist,
      subscriptionId: apiKeys.subscriptionId,
    })
    .from(apiKeys)
    .innerJoin(partners, eq(partners.id, apiKeys.partnerId))
    .where(eq(apiKeys.id, opts.keyId))
    .limit(1)
  // The actor's partner bounds it (a partner's people see only their own keys); `partnerId` may narrow it further.
  if (!old || !isOwnPartnerObject(opts.actor, old.partnerId) || (opts.partnerId !== null && old.partnerId !== opts.partnerId))
    return fail('not_found', 'key_not_found', 'No such API key')
  if (old.revokedAt !== null) return fail('conflict', 'already_revoked', 'A revoked key cannot be rolled')
  if (old.expiresAt !== null && old.expiresAt <= now) return fail('conflict', 'key_expired', 'An expired key cannot be rolled')
  if (old.replacedByKeyId !== null) return fail('conflict', 'already_rolled', 'This key was already rolled')
  if (old.partnerState !== 'active') return fail('conflict', 'partner_not_active', 'The partner is not active')

  const graceEnd = now + Math.round(opts.graceHours * 3_600_000)
  const oldKeyValidUntil = old.expiresAt === null ? graceEnd : Math.min(old.expiresAt, graceEnd)
  const id = randomUUID()
  const { key, hash, displayPrefix } = generateApiKey()
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'api_key.roll',
      objectType: 'api_key',
      objectId: old.id,
      requestId: opts.requestId,
      detail: {
        partnerId: old.partnerId,
        oldDisplayPrefix: old.displayPrefix,
        newKeyId: id,
        newDisplayPrefix: displayPrefix,
        graceHours: opts.graceHours,
        oldKeyValidUntil,
      },
    },
    [
      db.insert(apiKeys).values({
        id,
        partnerId: old.partnerId,
        name: old.name,
        keyHash: hash,
        displayPrefix,
        createdByUserId: opts.actor.id,
        expiresAt: old.expiresAt,
        ipAllowlist: old.ipAllowlist,
        // The successor serves the same subscription (ADR 0032).
        subscriptionId: old.subscriptionId,
      }),
      db.update(apiKeys).set({ expiresAt: oldKeyValidUntil, replacedByKeyId: id }).where(eq(apiKeys.id, old.id)),
    ],
  )
  return ok({
    id,
    key,
    displayPrefix,
    expiresAt: old.expiresAt,
    ipAllowlist: old.ipAllowlist,
    subscriptionId: old.subscriptionId,
    replacedKeyId: old.id,
    oldKeyValidUntil,
  })
}
