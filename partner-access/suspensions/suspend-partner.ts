import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partners } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { checkReason } from './bureau-only.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/**
 * The bureau suspends a partner (Art. 24): every key of the partner answers
 * 423 partner_suspended from the next request, in every process within 1 s.
 * The reason is kept in the audit entry (partners has no reason column).
 */
export async function suspendPartner(
  db: Db,
  opts: { partnerCode: string; reason: string; actor: Actor; requestId?: string },
): Promise<Result<{ code: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'partner.suspend')
  if (denied) return denied
  const reason = checkReason(opts.reason, true)
  if (reason.error) return reason.error
  const [partner] = await db
    .select({ id: partners.id, code: partners.code, state: partners.state })
    .from(partners)
    .where(eq(partners.code, opts.partnerCode))
    .limit(1)
  if (!partner) return fail('not_found', 'partner_not_found', `No partner ${opts.partnerCode}`)
  if (partner.state === 'suspended') return fail('conflict', 'already_suspended', `${partner.code} is already suspended`)
  if (partner.state !== 'active') return fail('conflict', 'partner_not_active', `${partner.code} is ${partner.state}`)
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'partner.suspend',
      objectType: 'partner',
      objectId: partner.id,
      requestId: opts.requestId,
      detail: { code: partner.code, reason: reason.text },
    },
    [db.update(partners).set({ state: 'suspended' }).where(eq(partners.id, partner.id))],
  )
  return ok({ code: partner.code })
}
