import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partners } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { checkReason } from './bureau-only.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/** The bureau lifts a partner suspension; the partner's keys answer again within 1 s. */
export async function resumePartner(
  db: Db,
  opts: { partnerCode: string; reason?: string | null; actor: Actor; requestId?: string },
): Promise<Result<{ code: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'partner.resume')
  if (denied) return denied
  const reason = checkReason(opts.reason, false)
  if (reason.error) return reason.error
  const [partner] = await db
    .select({ id: partners.id, code: partners.code, state: partners.state })
    .from(partners)
    .where(eq(partners.code, opts.partnerCode))
    .limit(1)
  if (!partner) return fail('not_found', 'partner_not_found', `No partner ${opts.partnerCode}`)
  if (partner.state !== 'suspended') return fail('conflict', 'not_suspended', `${partner.code} is not suspended`)
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'partner.resume',
      objectType: 'partner',
      objectId: partner.id,
      requestId: opts.requestId,
      detail: { code: partner.code, reason: reason.text },
    },
    [db.update(partners).set({ state: 'active' }).where(eq(partners.id, partner.id))],
  )
  return ok({ code: partner.code })
}
