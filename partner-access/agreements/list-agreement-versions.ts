import { asc, desc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import {
  agreementAcceptances,
  agreementVersions,
  partners,
  type AgreementKind,
  type AgreementVersionState,
} from '#db/schema/index.ts'
import { currentVersionOf } from '#platform/agreements/agreement-standing.ts'

export interface AgreementVersionRow {
  id: string
  kind: AgreementKind
  version: number
  titleZh: string
  titleEn: string
  bodyZh: string
  bodyEn: string
  effectiveAt: number
  acceptBy: number | null
  state: AgreementVersionState
  draftedAt: number
  decidedAt: number | null
  decisionComment: string | null
  isCurrent: boolean
  /** Partner codes that accepted this version. */
  acceptedBy: string[]
}

/** Every version of both kinds (newest first), which are current at `at`, and which partners accepted each. */
export async function listAgreementVersions(db: Db, opts: { at?: number } = {}): Promise<AgreementVersionRow[]> {
  const at = opts.at ?? Date.now()
  const rows = await db
    .select({
      id: agreementVersions.id,
      kind: agreementVersions.kind,
      version: agreementVersions.version,
      titleZh: agreementVersions.titleZh,
      titleEn: agreementVersions.titleEn,
      bodyZh: agreementVersions.bodyZh,
      bodyEn: agreementVersions.bodyEn,
      effectiveAt: agreementVersions.effectiveAt,
      acceptBy: agreementVersions.acceptBy,
      state: agreementVersions.state,
      draftedAt: agreementVersions.draftedAt,
      decidedAt: agreementVersions.decidedAt,
      decisionComment: agreementVersions.decisionComment,
    })
    .from(agreementVersions)
    .orderBy(asc(agreementVersions.kind), desc(agreementVersions.version))
  const accepted = await db
    .select({ versionId: agreementAcceptances.versionId, code: partners.code })
    .from(agreementAcceptances)
    .innerJoin(partners, eq(partners.id, agreementAcceptances.partnerId))
    .orderBy(asc(partners.code))
  const approved = rows.filter((r) => r.state === 'approved')
  const currentIds = new Set(
    (['cooperation', 'platform_service'] as const).flatMap((k) => currentVersionOf(approved, k, at)?.id ?? []),
  )
  return rows.map((r) => ({
    ...r,
    isCurrent: currentIds.has(r.id),
    acceptedBy: accepted.filter((a) => a.versionId === r.id).map((a) => a.code),
  }))
}
