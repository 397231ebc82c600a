import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { apiKeys } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { isOwnPartnerObject, refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/**
 * Revokes a key at once: the gateway refuses it (401 key_revoked) on the next
 * request, in every process within 1 s (its access cache lives 500 ms).
 * `partnerId` scopes the call to one partner's keys (the developer portal); the
 * CLI passes null. Another partner's key is answered as not found.
 */
export async function revokeApiKey(
  db: Db,
  opts: { keyId: string; partnerId: string | null; actor: Actor; reason?: string | null; requestId?: string; now?: number },
): Promise<Result<{ id: string; displayPrefix: string; revokedAt: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'api_key.revoke')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const [key] = await db
    .select({ id: apiKeys.id, partnerId: apiKeys.partnerId, displayPrefix: apiKeys.displayPrefix, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(eq(apiKeys.id, opts.keyId))
    .limit(1)
  // The actor's partner bounds it (a partner's people see only their own keys); `partnerId` may narrow it further.
  if (!key || !isOwnPartnerObject(opts.actor, key.partnerId) || (opts.partnerId !== null && key.partnerId !== opts.partnerId))
    return fail('not_found', 'key_not_found', 'No such API key')
  if (key.revokedAt !== null) return fail('conflict', 'already_revoked', 'This key is already revoked')
  const reason = opts.reason?.trim() || null
  if (reason && reason.length > 200)
    return fail('validation', 'validation_failed', 'Reason is at most 200 characters', { reason: 'length' })
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'api_key.revoke',
      objectType: 'api_key',
      objectId: key.id,
      requestId: opts.requestId,
      detail: { partnerId: key.partnerId, displayPrefix: key.displayPrefix, reason },
    },
    [db.update(apiKeys).set({ revokedAt: now, revokedReason: reason }).where(eq(apiKeys.id, key.id))],
  )
  return ok({ id: key.id, displayPrefix: key.displayPrefix, revokedAt: now })
}
