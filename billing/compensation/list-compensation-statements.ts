import { and, desc, eq, type SQL } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { compensationStatements, sourceUnits } from '#db/schema/index.ts'
import type { CompensationDatasetLine } from './compute-compensation-statements.ts'

export interface CompensationStatementView {
  id: string
  period: string
  sourceUnitCode: string
  sourceUnitNameZh: string
  sourceUnitNameEn: string
  calls: number
  amountFen: number
  preciseFen: string
  lines: CompensationDatasetLine[]
  createdAt: number
}

/** Stored statements, newest period first; a source unit passes its own id. */
export async function listCompensationStatements(
  db: Db,
  opts: { sourceUnitId?: string | null; period?: string | null; limit?: number } = {},
): Promise<CompensationStatementView[]> {
  const where: SQL | undefined = and(
    opts.sourceUnitId ? eq(compensationStatements.sourceUnitId, opts.sourceUnitId) : undefined,
    opts.period ? eq(compensationStatements.period, opts.period) : undefined,
  )
  const rows = await db
    .select({
      id: compensationStatements.id,
      period: compensationStatements.period,
      sourceUnitCode: sourceUnits.code,
      sourceUnitNameZh: sourceUnits.nameZh,
      sourceUnitNameEn: sourceUnits.nameEn,
      calls: compensationStatements.calls,
      amountFen: compensationStatements.amountFen,
      preciseFen: compensationStatements.preciseFen,
      detail: compensationStatements.detail,
      createdAt: compensationStatements.createdAt,
    })
    .from(compensationStatements)
    .innerJoin(sourceUnits, eq(sourceUnits.id, compensationStatements.sourceUnitId))
    .where(where)
    .orderBy(desc(compensationStatements.period), sourceUnits.code)
    .limit(opts.limit ?? 500)
  return rows.map(({ detail, ...r }) => ({ ...r, lines: JSON.parse(detail) as CompensationDatasetLine[] }))
}
