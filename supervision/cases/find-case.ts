import { and, asc, eq, inArray, or, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import {
  authorizations,
  caseEvents,
  caseEvidence,
  datasets,
  partners,
  productDatasets,
  products,
  sourceUnits,
} from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { canSeeCase, findCaseRow, isCaseParty, type CaseRow } from './case-parties.ts'

export interface CaseDetail {
  case: CaseRow & { reporterName: string | null; targetCode: string | null; isOverdue: boolean }
  events: { id: string; at: number; kind: string; actorLabel: string; role: string; note: string | null; detail: string | null }[]
  evidence: { id: string; fileName: string; mediaType: string; bytes: number; uploadedByLabel: string; createdAt: number }[]
  /** Authorizations the bureau may suspend or resume under this case (the target's, or all for an operator case). */
  authorizations: { code: string; state: string; datasetCode: string; endsAt: number; suspendedCaseCode: string | null }[]
  /** Whether the viewer is the party that answers with evidence. */
  isParty: boolean
}

/** One case with its timeline and evidence, for `actor` (another's case: null, answered as not found). */
export async function findCase(db: Db, opts: { actor: Actor; code: string; now?: number }): Promise<CaseDetail | null> {
  const now = opts.now ?? Date.now()
  const row = await findCaseRow(db, opts.code)
  if (!row || !canSeeCase(opts.actor, row)) return null
  const [reporter] = row.reporterSourceUnitId
    ? await db.select({ name: sourceUnits.nameZh }).from(sourceUnits).where(eq(sourceUnits.id, row.reporterSourceUnitId))
    : []
  const [partner] = row.partnerId
    ? await db.select({ code: partners.code }).from(partners).where(eq(partners.id, row.partnerId))
    : []
  const [product] = row.productId
    ? await db.select({ code: products.code }).from(products).where(eq(products.id, row.productId))
    : []
  const [authorization] = row.authorizationId
    ? await db.select({ code: authorizations.code }).from(authorizations).where(eq(authorizations.id, row.authorizationId))
    : []
  const events = await db
    .select({
      id: caseEvents.id,
      at: caseEvents.at,
      kind: caseEvents.kind,
      actorLabel: caseEvents.actorLabel,
      role: caseEvents.role,
      note: caseEvents.note,
      detail: caseEvents.detail,
    })
    .from(caseEvents)
    .where(eq(caseEvents.caseId, row.id))
    // Steps at the same instant keep their insertion order (rowid: the table is append-only).
    .orderBy(asc(caseEvents.at), asc(sql`${caseEvents}.rowid`))
  const evidence = await db
    .select({
      id: caseEvidence.id,
      fileName: caseEvidence.fileName,
      mediaType: caseEvidence.mediaType,
      bytes: caseEvidence.bytes,
      uploadedByLabel: caseEvidence.uploadedByLabel,
      createdAt: caseEvidence.createdAt,
    })
    .from(caseEvidence)
    .where(eq(caseEvidence.caseId, row.id))
    .orderBy(asc(caseEvidence.createdAt))
  const inForce = or(eq(authorizations.state, 'active'), eq(authorizations.state, 'suspended'))
  const suspendable =
    opts.actor.role !== 'bureau'
      ? []
      : await db
          .select({
            code: authorizations.code,
            state: authorizations.state,
            datasetCode: datasets.code,
            endsAt: authorizations.endsAt,
            suspendedCaseId: authorizations.suspendedCaseId,
          })
          .from(authorizations)
          .innerJoin(datasets, eq(datasets.id, authorizations.datasetId))
          .where(
            row.targetKind === 'authorization' && row.authorizationId
              ? eq(authorizations.id, row.authorizationId)
              : row.targetKind === 'operator'
                ? inForce
                : row.targetKind === 'product' && row.productId
                  ? and(
                      inForce,
                      inArray(
                        authorizations.datasetId,
                        db
                          .select({ id: productDatasets.datasetId })
                          .from(productDatasets)
                          .where(eq(productDatasets.productId, row.productId)),
                      ),
                    )
                  : // A partner case: what was suspended under it, if anything.
                    eq(authorizations.suspendedCaseId, row.id),
          )
          .orderBy(asc(authorizations.code))
  return {
    case: {
      ...row,
      reporterName: reporter?.name ?? null,
      targetCode: partner?.code ?? product?.code ?? authorization?.code ?? null,
      isOverdue: row.state === 'open' && row.deadlineAt !== null && row.deadlineAt <= now,
    },
    events,
    evidence,
    authorizations: suspendable.map(({ suspendedCaseId, ...a }) => ({
      ...a,
      suspendedCaseCode: suspendedCaseId === row.id ? row.code : suspendedCaseId ? 'other' : null,
    })),
    isParty: isCaseParty(opts.actor, row),
  }
}

/** An evidence file's row, if `actor` may download it: the bureau, or the case's party. */
export async function findCaseEvidence(
  db: Db,
  opts: { actor: Actor; code: string; evidenceId: string },
): Promise<{ id: string; fileName: string; mediaType: string; bytes: number } | null> {
  if (opts.actor.role !== 'bureau' && opts.actor.role !== 'operator' && opts.actor.role !== 'partner_admin') return null
  const row = await findCaseRow(db, opts.code)
  if (!row || !canSeeCase(opts.actor, row)) return null
  const [file] = await db
    .select({
      id: caseEvidence.id,
      caseId: caseEvidence.caseId,
      fileName: caseEvidence.fileName,
      mediaType: caseEvidence.mediaType,
      bytes: caseEvidence.bytes,
    })
    .from(caseEvidence)
    .where(eq(caseEvidence.id, opts.evidenceId))
  if (!file || file.caseId !== row.id) return null
  return { id: file.id, fileName: file.fileName, mediaType: file.mediaType, bytes: file.bytes }
}
