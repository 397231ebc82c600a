import { and, desc, eq, ne, type SQL } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import {
  authorizations,
  CASE_STATES,
  partners,
  products,
  rectificationCases,
  sourceUnits,
  type CaseState,
} from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'

export interface CaseSummary {
  code: string
  state: CaseState
  reporterKind: 'source_unit' | 'regulator'
  reporterName: string | null
  regulatorName: string | null
  targetKind: 'operator' | 'partner' | 'product' | 'authorization' | null
  targetCode: string | null
  ruleBreached: string | null
  deadlineOn: string | null
  deadlineAt: number | null
  /** Still open past its deadline (the job escalates it on its next run). */
  isOverdue: boolean
  createdAt: number
}

/**
 * The cases `actor` may see, newest first (ADR 0021 scoping as canSeeCase): all for the bureau and the CLI; those
 * opened against it for the operator and a partner's administrator; those it reported for a source unit.
 */
export async function listCases(
  db: Db,
  opts: { actor: Actor; state?: string | null; now?: number; limit?: number },
): Promise<CaseSummary[]> {
  const now = opts.now ?? Date.now()
  const scope = scopeOf(opts.actor)
  if (scope === 'none') return []
  const state = (CASE_STATES as readonly string[]).includes(opts.state ?? '') ? (opts.state as CaseState) : null
  const rows = await db
    .select({
      code: rectificationCases.code,
      state: rectificationCases.state,
      reporterKind: rectificationCases.reporterKind,
      reporterName: sourceUnits.nameZh,
      regulatorName: rectificationCases.regulatorName,
      targetKind: rectificationCases.targetKind,
      partnerCode: partners.code,
      productCode: products.code,
      authorizationCode: authorizations.code,
      ruleBreached: rectificationCases.ruleBreached,
      deadlineOn: rectificationCases.deadlineOn,
      deadlineAt: rectificationCases.deadlineAt,
      createdAt: rectificationCases.createdAt,
    })
    .from(rectificationCases)
    .leftJoin(sourceUnits, eq(sourceUnits.id, rectificationCases.reporterSourceUnitId))
    .leftJoin(partners, eq(partners.id, rectificationCases.partnerId))
    .leftJoin(products, eq(products.id, rectificationCases.productId))
    .leftJoin(authorizations, eq(authorizations.id, rectificationCases.authorizationId))
    .where(and(scope, state ? eq(rectificationCases.state, state) : undefined))
    .orderBy(desc(rectificationCases.createdAt), desc(rectificationCases.code))
    .limit(Math.min(Math.max(opts.limit ?? 500, 1), 5000))
  return rows.map(({ partnerCode, productCode, authorizationCode, ...r }) => ({
    ...r,
    targetCode: partnerCode ?? productCode ?? authorizationCode ?? null,
    isOverdue: r.state === 'open' && r.deadlineAt !== null && r.deadlineAt <= now,
  }))
}

function scopeOf(actor: Actor): SQL | undefined | 'none' {
  const opened = ne(rectificationCases.state, 'reported')
  switch (actor.role) {
    case 'bureau':
    case 'cli':
    case 'system':
      return undefined
    case 'operator':
      return and(opened, ne(rectificationCases.targetKind, 'partner'))
    case 'partner_admin':
      return actor.partnerId
        ? and(opened, eq(rectificationCases.targetKind, 'partner'), eq(rectificationCases.partnerId, actor.partnerId))
        : 'none'
    case 'source_unit':
      return actor.sourceUnitId ? eq(rectificationCases.reporterSourceUnitId, actor.sourceUnitId) : 'none'
    default:
      return 'none'
  }
}
