import { and, asc, eq, inArray, ne, or } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partnerApplicationDocuments, partnerApplications, partners } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { listActiveCreditRecords } from '#supervision/credit/list-credit-records.ts'
import { idNumberIndexCandidates, OPEN_APPLICATION_STATES, openIdNumber, openPhone } from './application-rules.ts'

/**
 * One application for its reviewer: every answer (the ID number in full: the reviewer checks it), the documents,
 * duplicates (a partner with the same USCC, another open or approved application with the same USCC or ID number),
 * and the credit records in force of a partner with the same USCC (an exited one too: Art. 28).
 */
export async function findPartnerApplication(db: Db, opts: { actor: Actor; number: string; now?: number }) {
  const denied = refuseUnlessPermitted(opts.actor, 'partner_application.view')
  if (denied) return denied
  const [app] = await db.select().from(partnerApplications).where(eq(partnerApplications.number, opts.number)).limit(1)
  if (!app) return fail('not_found', 'application_not_found', `No application ${opts.number}`)
  const documents = await db
    .select({
      id: partnerApplicationDocuments.id,
      fileName: partnerApplicationDocuments.fileName,
      mediaType: partnerApplicationDocuments.mediaType,
      bytes: partnerApplicationDocuments.bytes,
      sha256: partnerApplicationDocuments.sha256,
      createdAt: partnerApplicationDocuments.createdAt,
    })
    .from(partnerApplicationDocuments)
    .where(eq(partnerApplicationDocuments.applicationId, app.id))
    .orderBy(asc(partnerApplicationDocuments.createdAt))
  const samePartners = app.uscc
    ? await db
        .select({ id: partners.id, code: partners.code, name: partners.name, state: partners.state })
        .from(partners)
        .where(eq(partners.uscc, app.uscc))
    : []
  const idNumber = openIdNumber(app.idNumber)
  // Natural persons by the keyed blind index of the ID number (every key of the ring: a rotation may be under way).
  const subject = app.uscc
    ? eq(partnerApplications.uscc, app.uscc)
    : idNumber
      ? inArray(partnerApplications.idNumberBidx, idNumberIndexCandidates(idNumber))
      : null
  const sameApplications = subject
    ? await db
        .select({ number: partnerApplications.number, name: partnerApplications.name, state: partnerApplications.state })
        .from(partnerApplications)
        .where(
          and(
            subject,
            ne(partnerApplications.id, app.id),
            or(inArray(partnerApplications.state, [...OPEN_APPLICATION_STATES]), eq(partnerApplications.state, 'approved')),
          ),
        )
    : []
  const credit = []
  for (const p of samePartners) {
    const { records, isBadCreditExitCandidate } = await listActiveCreditRecords(db, { partnerId: p.id, now: opts.now })
    credit.push({ partner: p, records, isBadCreditExitCandidate })
  }
  const { statusTokenHash: _hash, address: _address, idNumberBidx: _index, ...rest } = app
  const shown = { ...rest, idNumber, contactPhone: openPhone(app.contactPhone) }
  return ok({
    application: shown,
    documents,
    duplicates: { partners: samePartners, applications: sameApplications },
    credit,
  })
}
export type PartnerApplicationDetail = Extract<Awaited<ReturnType<typeof findPartnerApplication>>, { ok: true }>['value']

/** A document of an application, for its download (the operator only). */
export async function findApplicationDocument(
  db: Db,
  opts: { actor: Actor; number: string; documentId: string },
): Promise<Result<{ id: string; fileName: string; mediaType: string; bytes: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'partner_application.view')
  if (denied) return denied
  const [row] = await db
    .select({
      id: partnerApplicationDocuments.id,
      fileName: partnerApplicationDocuments.fileName,
      mediaType: partnerApplicationDocuments.mediaType,
      bytes: partnerApplicationDocuments.bytes,
    })
    .from(partnerApplicationDocuments)
    .innerJoin(partnerApplications, eq(partnerApplications.id, partnerApplicationDocuments.applicationId))
    .where(and(eq(partnerApplications.number, opts.number), eq(partnerApplicationDocuments.id, opts.documentId)))
    .limit(1)
  return row ? ok(row) : fail('not_found', 'document_not_found', 'No such document')
}
