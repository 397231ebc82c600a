import type { Db } from '#db/client.ts'
import { decideAgreementStanding } from '#platform/agreements/agreement-standing.ts'
import { loadAcceptedVersionIds, loadApprovedAgreementVersions } from '#platform/agreements/load-agreement-state.ts'
import { fail } from '#platform/result.ts'

/**
 * The activation gate (ADR 0031): a subscription of a partner that has not accepted the current agreements cannot
 * become active. Null when it may; else the `agreement_not_accepted` conflict to return.
 */
export async function refuseUnacceptedAgreements(db: Db, partnerId: string, at: number) {
  const [versions, accepted] = await Promise.all([loadApprovedAgreementVersions(db), loadAcceptedVersionIds(db, partnerId)])
  return decideAgreementStanding(versions, accepted, at).isBlocked
    ? fail('conflict', 'agreement_not_accepted', 'The partner must first accept the current agreements (/partner/agreements)')
    : null
}
