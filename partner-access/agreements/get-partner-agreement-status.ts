import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { agreementAcceptances, agreementVersions, partners } from '#db/schema/index.ts'
import { decideAgreementStanding, type AgreementKindName } from '#platform/agreements/agreement-standing.ts'
import { loadAcceptedVersionIds, loadApprovedAgreementVersions } from '#platform/agreements/load-agreement-state.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { isOwnPartnerObject } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { hashAgreementText, renderAgreementText } from './render-agreement-text.ts'

export interface AgreementKindStatus {
  kind: AgreementKindName
  current: {
    id: string
    version: number
    titleZh: string
    titleEn: string
    effectiveAt: number
    acceptBy: number | null
    /** The exact text to be accepted now, and its hash (posted back with the acceptance). */
    text: string
    textHash: string
  } | null
  isCurrentAccepted: boolean
  isInGrace: boolean
  isBlocking: boolean
  acceptance: {
    id: string
    version: number
    userName: string
    acceptedAt: number
    clientAddress: string | null
    hashAlgorithm: string
    textHash: string
  } | null
}

export interface PartnerAgreementStatus {
  partnerId: string
  partnerCode: string
  partnerName: string
  isBlocked: boolean
  isPending: boolean
  kinds: AgreementKindStatus[]
}

/**
 * A partner's standing under the agreements at `at` (ADR 0031): per kind the current version with the exact text to
 * accept, whether it is accepted, in grace or blocking, and the latest acceptance. A partner's own users only see their
 * own partner (another is not found); the platform's users and the CLI see any. `withText: false` skips rendering.
 */
export async function getPartnerAgreementStatus(
  db: Db,
  opts: { partnerId?: string; partnerCode?: string; actor: Actor; at?: number; withText?: boolean },
): Promise<Result<PartnerAgreementStatus>> {
  const at = opts.at ?? Date.now()
  const [partner] = await db
    .select({ id: partners.id, code: partners.code, name: partners.name })
    .from(partners)
    .where(opts.partnerId ? eq(partners.id, opts.partnerId) : eq(partners.code, opts.partnerCode ?? ''))
    .limit(1)
  if (
    !partner ||
    !isOwnPartnerObject(opts.actor, partner.id) ||
    opts.actor.role === 'source_unit' ||
    opts.actor.role === 'anonymous'
  )
    return fail('not_found', 'partner_not_found', 'No such partner')
  const [versions, accepted] = await Promise.all([loadApprovedAgreementVersions(db), loadAcceptedVersionIds(db, partner.id)])
  const standing = decideAgreementStanding(versions, accepted, at)
  const acceptances = await db
    .select({
      id: agreementAcceptances.id,
      kind: agreementVersions.kind,
      version: agreementVersions.version,
      userName: agreementAcceptances.userName,
      acceptedAt: agreementAcceptances.acceptedAt,
      clientAddress: agreementAcceptances.clientAddress,
      hashAlgorithm: agreementAcceptances.hashAlgorithm,
      textHash: agreementAcceptances.textHash,
    })
    .from(agreementAcceptances)
    .innerJoin(agreementVersions, eq(agreementVersions.id, agreementAcceptances.versionId))
    .where(and(eq(agreementAcceptances.partnerId, partner.id)))
  const kinds: AgreementKindStatus[] = []
  for (const k of standing.kinds) {
    let current: AgreementKindStatus['current'] = null
    if (k.current) {
      const [v] = await db.select().from(agreementVersions).where(eq(agreementVersions.id, k.current.id)).limit(1)
      if (v) {
        const text = opts.withText === false ? '' : await renderAgreementText(db, v, at)
        current = {
          id: v.id,
          version: v.version,
          titleZh: v.titleZh,
          titleEn: v.titleEn,
          effectiveAt: v.effectiveAt,
          acceptBy: v.acceptBy,
          text,
          textHash: opts.withText === false ? '' : hashAgreementText(text),
        }
      }
    }
    const latest = acceptances
      .filter((a) => a.kind === k.kind)
      .sort((a, b) => b.version - a.version || b.acceptedAt - a.acceptedAt)[0]
    kinds.push({
      kind: k.kind,
      current,
      isCurrentAccepted: k.isCurrentAccepted,
      isInGrace: k.isInGrace,
      isBlocking: k.isBlocking,
      acceptance: latest ? { ...latest } : null,
    })
  }
  return ok({
    partnerId: partner.id,
    partnerCode: partner.code,
    partnerName: partner.name,
    isBlocked: standing.isBlocked,
    isPending: standing.isPending,
    kinds,
  })
}
