import { and, asc, eq, gt, lte, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { authorizations, datasets, sourceUnits } from '#db/schema/index.ts'

/**
 * Registered datasets, all of them (operator, bureau) or one source unit's own,
 * each with whether an authorization is in force now and until when.
 */
export async function listDatasets(db: Db, opts: { sourceUnitId?: string | null; now?: number } = {}) {
  const now = opts.now ?? Date.now()
  return db
    .select({
      code: datasets.code,
      registrationCode: datasets.registrationCode,
      nameZh: datasets.nameZh,
      nameEn: datasets.nameEn,
      domain: datasets.domain,
      level: datasets.level,
      deliveryMode: datasets.deliveryMode,
      updateFrequency: datasets.updateFrequency,
      sourceUnitCode: sourceUnits.code,
      sourceUnitZh: sourceUnits.nameZh,
      sourceUnitEn: sourceUnits.nameEn,
      /** End of the authorization in force that ends last; null when none is in force. */
      authorizedUntil: sql<number | null>`max(${authorizations.endsAt})`,
    })
    .from(datasets)
    .innerJoin(sourceUnits, eq(sourceUnits.id, datasets.sourceUnitId))
    .leftJoin(
      authorizations,
      and(
        eq(authorizations.datasetId, datasets.id),
        eq(authorizations.state, 'active'),
        lte(authorizations.startsAt, now),
        gt(authorizations.endsAt, now),
      ),
    )
    .where(opts.sourceUnitId ? eq(datasets.sourceUnitId, opts.sourceUnitId) : undefined)
    .groupBy(datasets.id)
    .orderBy(asc(datasets.code))
}

export type DatasetListRow = Awaited<ReturnType<typeof listDatasets>>[number]
