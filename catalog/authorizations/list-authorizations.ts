import { and, desc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { authorizations, datasets, sourceUnits } from '#db/schema/index.ts'

/** Authorizations, all (bureau, CLI) or one source unit's (least privilege), newest first. */
export async function listAuthorizations(
  db: Db,
  opts: { sourceUnitId?: string | null; state?: 'active' | 'suspended' | 'expired' | 'terminated' } = {},
) {
  return db
    .select({
      code: authorizations.code,
      state: authorizations.state,
      deliveryMode: authorizations.deliveryMode,
      startsAt: authorizations.startsAt,
      endsAt: authorizations.endsAt,
      endedAt: authorizations.endedAt,
      endedReason: authorizations.endedReason,
      dataDeletedAt: authorizations.dataDeletedAt,
      rowsDeleted: authorizations.rowsDeleted,
      datasetCode: datasets.code,
      datasetNameZh: datasets.nameZh,
      datasetNameEn: datasets.nameEn,
      level: datasets.level,
      sourceUnitCode: sourceUnits.code,
      sourceUnitZh: sourceUnits.nameZh,
      sourceUnitEn: sourceUnits.nameEn,
    })
    .from(authorizations)
    .innerJoin(datasets, eq(datasets.id, authorizations.datasetId))
    .innerJoin(sourceUnits, eq(sourceUnits.id, datasets.sourceUnitId))
    .where(
      and(
        opts.sourceUnitId ? eq(datasets.sourceUnitId, opts.sourceUnitId) : undefined,
        opts.state ? eq(authorizations.state, opts.state) : undefined,
      ),
    )
    .orderBy(desc(authorizations.createdAt), desc(authorizations.code))
}

export type AuthorizationRow = Awaited<ReturnType<typeof listAuthorizations>>[number]
