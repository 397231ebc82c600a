import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { agreementAcceptances, agreementVersions } from '#db/schema/index.ts'
import type { ApprovedVersion } from './agreement-standing.ts'

/** Every approved version (few: a handful per kind over the platform's life). */
export async function loadApprovedAgreementVersions(db: Db): Promise<ApprovedVersion[]> {
  return db
    .select({
      id: agreementVersions.id,
      kind: agreementVersions.kind,
      version: agreementVersions.version,
      effectiveAt: agreementVersions.effectiveAt,
      acceptBy: agreementVersions.acceptBy,
    })
    .from(agreementVersions)
    .where(eq(agreementVersions.state, 'approved'))
}

/** The versions a partner accepted. */
export async function loadAcceptedVersionIds(db: Db, partnerId: string): Promise<Set<string>> {
  const rows = await db
    .select({ versionId: agreementAcceptances.versionId })
    .from(agreementAcceptances)
    .where(eq(agreementAcceptances.partnerId, partnerId))
  return new Set(rows.map((r) => r.versionId))
}
