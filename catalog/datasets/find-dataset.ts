import { and, asc, desc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { authorizations, datasetFields, datasetLoads, datasets, sourceUnits } from '#db/schema/index.ts'
import type { RowProblem } from './validate-rows.ts'
import { countStoreRows } from './dataset-store.ts'

/**
 * One dataset with its fields, its loads (lineage, newest first), its
 * authorizations and how many rows the platform holds. A source unit user only
 * finds its own datasets (sourceUnitId); otherwise null.
 */
export async function findDataset(db: Db, opts: { code: string; sourceUnitId?: string | null; loadLimit?: number }) {
  const [dataset] = await db
    .select({
      id: datasets.id,
      code: datasets.code,
      registrationCode: datasets.registrationCode,
      nameZh: datasets.nameZh,
      nameEn: datasets.nameEn,
      description: datasets.description,
      domain: datasets.domain,
      level: datasets.level,
      deliveryMode: datasets.deliveryMode,
      updateFrequency: datasets.updateFrequency,
      storeTable: datasets.storeTable,
      interfaceUrl: datasets.interfaceUrl,
      pullEveryMinutes: datasets.pullEveryMinutes,
      createdAt: datasets.createdAt,
      sourceUnitId: datasets.sourceUnitId,
      sourceUnitCode: sourceUnits.code,
      sourceUnitZh: sourceUnits.nameZh,
      sourceUnitEn: sourceUnits.nameEn,
    })
    .from(datasets)
    .innerJoin(sourceUnits, eq(sourceUnits.id, datasets.sourceUnitId))
    .where(and(eq(datasets.code, opts.code), opts.sourceUnitId ? eq(datasets.sourceUnitId, opts.sourceUnitId) : undefined))
  if (!dataset) return null
  const [fields, loads, grants, rowCount] = await Promise.all([
    db.select().from(datasetFields).where(eq(datasetFields.datasetId, dataset.id)).orderBy(asc(datasetFields.ordinal)),
    db
      .select()
      .from(datasetLoads)
      .where(eq(datasetLoads.datasetId, dataset.id))
      .orderBy(desc(datasetLoads.startedAt))
      .limit(opts.loadLimit ?? 20),
    db
      .select({
        code: authorizations.code,
        state: authorizations.state,
        deliveryMode: authorizations.deliveryMode,
        startsAt: authorizations.startsAt,
        endsAt: authorizations.endsAt,
        endedAt: authorizations.endedAt,
        endedReason: authorizations.endedReason,
        rowsDeleted: authorizations.rowsDeleted,
      })
      .from(authorizations)
      .where(eq(authorizations.datasetId, dataset.id))
      .orderBy(desc(authorizations.startsAt)),
    countStoreRows(db, dataset),
  ])
  return {
    ...dataset,
    rowCount,
    fields: fields.map((f) => ({ name: f.name, labelZh: f.labelZh, type: f.type, required: f.required, piTag: f.piTag })),
    loads: loads.map(({ report, ...load }) => {
      const parsed = report
        ? (JSON.parse(report) as { problemCount?: number; problems?: RowProblem[]; encoding?: string | null })
        : null
      return {
        ...load,
        problemCount: parsed?.problemCount ?? 0,
        problems: parsed?.problems?.slice(0, 50) ?? [],
        /** The file's text encoding as detected (file loads). */
        encoding: parsed?.encoding ?? null,
      }
    }),
    authorizations: grants,
  }
}

export type DatasetDetail = NonNullable<Awaited<ReturnType<typeof findDataset>>>
