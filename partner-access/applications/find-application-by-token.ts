import { asc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partnerApplicationDocuments, partnerApplications, userInvites } from '#db/schema/index.ts'
import { hashToken, isTokenShaped, maskIdNumber, openIdNumber } from './application-rules.ts'

/**
 * The applicant's view through the secret status link: state, reason, documents, and once approved the invite link
 * while it can still be used. Null for an unknown or malformed token (the page answers 404: nothing to enumerate).
 */
export async function findApplicationByToken(db: Db, opts: { token: string; now?: number }) {
  if (!isTokenShaped(opts.token)) return null
  const [row] = await db
    .select()
    .from(partnerApplications)
    .where(eq(partnerApplications.statusTokenHash, hashToken(opts.token)))
    .limit(1)
  if (!row) return null
  const now = opts.now ?? Date.now()
  const documents = await db
    .select({
      id: partnerApplicationDocuments.id,
      fileName: partnerApplicationDocuments.fileName,
      mediaType: partnerApplicationDocuments.mediaType,
      bytes: partnerApplicationDocuments.bytes,
    })
    .from(partnerApplicationDocuments)
    .where(eq(partnerApplicationDocuments.applicationId, row.id))
    .orderBy(asc(partnerApplicationDocuments.createdAt))
  // Approved: the status link itself opens the admin's invite (/invite/<status token>) while it is unused and unexpired.
  let invite: { expiresAt: number } | null = null
  if (row.state === 'approved') {
    const [inv] = await db.select().from(userInvites).where(eq(userInvites.applicationId, row.id)).limit(1)
    if (inv && inv.usedAt === null && inv.expiresAt > now) invite = { expiresAt: inv.expiresAt }
  }
  return {
    number: row.number,
    kind: row.kind,
    name: row.name,
    uscc: row.uscc,
    idNumber: maskIdNumber(openIdNumber(row.idNumber)),
    purpose: row.purpose,
    state: row.state,
    reason: row.reason,
    submittedAt: row.createdAt,
    decidedAt: row.decidedAt,
    documents,
    canUpload: row.state === 'submitted',
    invite,
  }
}
export type ApplicationStatusView = NonNullable<Awaited<ReturnType<typeof findApplicationByToken>>>
