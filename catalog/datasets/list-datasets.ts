import { asc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { datasets, sourceUnits } from '#db/schema/index.ts'

/** Registered datasets, all of them (operator, bureau) or one source unit's own. */
export async function listDatasets(db: Db, opts: { sourceUnitId?: string | null } = {}) {
  return db
    .select({
      code: datasets.code,
      nameZh: datasets.nameZh,
      nameEn: datasets.nameEn,
      domain: datasets.domain,
      level: datasets.level,
      deliveryMode: datasets.deliveryMode,
      sourceUnitZh: sourceUnits.nameZh,
      sourceUnitEn: sourceUnits.nameEn,
    })
    .from(datasets)
    .innerJoin(sourceUnits, eq(sourceUnits.id, datasets.sourceUnitId))
    .where(opts.sourceUnitId ? eq(datasets.sourceUnitId, opts.sourceUnitId) : undefined)
    .orderBy(asc(datasets.code))
}
