// Partner agreements (ADR 0031): the domain functions the UI may call. Routes import them through #app/domain.server.ts.
export { draftAgreementVersion } from '#partner-access/agreements/draft-agreement-version.ts'
export { decideAgreementVersion } from '#partner-access/agreements/decide-agreement-version.ts'
export { listAgreementVersions } from '#partner-access/agreements/list-agreement-versions.ts'
export { acceptAgreement } from '#partner-access/agreements/accept-agreement.ts'
export { getPartnerAgreementStatus } from '#partner-access/agreements/get-partner-agreement-status.ts'
export { findSignedAgreement } from '#partner-access/agreements/find-signed-agreement.ts'
export { renderAcceptancePdf } from '#partner-access/agreements/render-acceptance-pdf.ts'

import type { Db } from '#db/client.ts'
import type { SessionUser } from '#platform/identity/get-session-user.ts'
import { getPartnerAgreementStatus } from '#partner-access/agreements/get-partner-agreement-status.ts'

/** For the banner on a partner's pages: the kinds awaiting acceptance, or null when nothing is pending. */
export async function findPendingAgreements(
  db: Db,
  user: Pick<SessionUser, 'id' | 'username' | 'role' | 'partnerId'>,
): Promise<{ kinds: ('cooperation' | 'platform_service')[]; isBlocked: boolean; acceptBy: number | null } | null> {
  if ((user.role !== 'partner_admin' && user.role !== 'partner_developer') || !user.partnerId) return null
  const actor = { id: user.id, label: user.username, role: user.role, partnerId: user.partnerId }
  const status = await getPartnerAgreementStatus(db, { partnerId: user.partnerId, actor, withText: false })
  if (!status.ok || !status.value.isPending) return null
  const open = status.value.kinds.filter((k) => !k.isCurrentAccepted)
  const dates = open.flatMap((k) => (k.isInGrace && k.current?.acceptBy ? [k.current.acceptBy] : []))
  return {
    kinds: open.map((k) => k.kind),
    isBlocked: status.value.isBlocked,
    acceptBy: dates.length ? Math.min(...dates) : null,
  }
}
