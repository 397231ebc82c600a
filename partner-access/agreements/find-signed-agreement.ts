import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { agreementAcceptances, agreementVersions, partners, type AgreementKind } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { isOwnPartnerObject } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'

export interface SignedAgreement {
  id: string
  kind: AgreementKind
  version: number
  partnerCode: string
  partnerName: string
  userName: string
  acceptedAt: number
  clientAddress: string | null
  renderedText: string
  hashAlgorithm: string
  textHash: string
}

/** One acceptance with the text accepted; another partner's is not found for a partner's user. */
export async function findSignedAgreement(
  db: Db,
  opts: { acceptanceId: string; actor: Actor },
): Promise<Result<SignedAgreement>> {
  const [row] = await db
    .select({
      id: agreementAcceptances.id,
      partnerId: agreementAcceptances.partnerId,
      kind: agreementVersions.kind,
      version: agreementVersions.version,
      partnerCode: partners.code,
      partnerName: partners.name,
      userName: agreementAcceptances.userName,
      acceptedAt: agreementAcceptances.acceptedAt,
      clientAddress: agreementAcceptances.clientAddress,
      renderedText: agreementAcceptances.renderedText,
      hashAlgorithm: agreementAcceptances.hashAlgorithm,
      textHash: agreementAcceptances.textHash,
    })
    .from(agreementAcceptances)
    .innerJoin(agreementVersions, eq(agreementVersions.id, agreementAcceptances.versionId))
    .innerJoin(partners, eq(partners.id, agreementAcceptances.partnerId))
    .where(eq(agreementAcceptances.id, opts.acceptanceId))
    .limit(1)
  const role = opts.actor.role
  const mayRead =
    role === 'bureau' || role === 'operator' || role === 'cli' || role === 'partner_admin' || role === 'partner_developer'
  if (!row || !mayRead || !isOwnPartnerObject(opts.actor, row.partnerId))
    return fail('not_found', 'acceptance_not_found', 'No such acceptance')
  const { partnerId: _partnerId, ...signed } = row
  return ok(signed)
}
