import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { datasets, demandItems, demandItemTransitions, demandLists, sourceUnits } from '#db/schema/index.ts'
import type { DemandItemState } from './demand-item-transition.ts'

/**
 * Demand items with their list, dataset and source unit, oldest first: the
 * queues. The bureau's is `pending_review`; a source unit's is `approved` with
 * its own sourceUnitId (it never sees another unit's items); the operator's
 * are `draft` and `returned`. Each item carries its transitions.
 */
export async function listDemandItems(
  db: Db,
  opts: { states?: readonly DemandItemState[]; sourceUnitId?: string | null; listCode?: string | null } = {},
) {
  const items = await db
    .select({
      id: demandItems.id,
      state: demandItems.state,
      listCode: demandLists.code,
      listTitle: demandLists.title,
      datasetCode: datasets.code,
      datasetNameZh: datasets.nameZh,
      datasetNameEn: datasets.nameEn,
      datasetLevel: datasets.level,
      sourceUnitCode: sourceUnits.code,
      sourceUnitZh: sourceUnits.nameZh,
      sourceUnitEn: sourceUnits.nameEn,
      dataDescription: demandItems.dataDescription,
      retrievalMethod: demandItems.retrievalMethod,
      usageScenario: demandItems.usageScenario,
      requestedTermMonths: demandItems.requestedTermMonths,
      bureauComment: demandItems.bureauComment,
      grantedDeliveryMode: demandItems.grantedDeliveryMode,
      refusalCitation: demandItems.refusalCitation,
      refusalExplanation: demandItems.refusalExplanation,
      createdAt: demandItems.createdAt,
    })
    .from(demandItems)
    .innerJoin(demandLists, eq(demandLists.id, demandItems.listId))
    .innerJoin(sourceUnits, eq(sourceUnits.id, demandItems.sourceUnitId))
    .leftJoin(datasets, eq(datasets.id, demandItems.datasetId))
    .where(
      and(
        opts.states ? inArray(demandItems.state, [...opts.states]) : undefined,
        opts.sourceUnitId ? eq(demandItems.sourceUnitId, opts.sourceUnitId) : undefined,
        opts.listCode ? eq(demandLists.code, opts.listCode) : undefined,
      ),
    )
    .orderBy(asc(demandLists.code), asc(demandItems.createdAt), asc(demandItems.id))
  const transitions =
    items.length === 0
      ? []
      : await db
          .select()
          .from(demandItemTransitions)
          .where(
            inArray(
              demandItemTransitions.itemId,
              items.map((i) => i.id),
            ),
          )
          .orderBy(desc(demandItemTransitions.at), desc(sql`rowid`))
  return items.map((item) => ({
    ...item,
    transitions: transitions
      .filter((t) => t.itemId === item.id)
      .map((t) => ({ at: t.at, from: t.fromState, to: t.toState, actorLabel: t.actorLabel, role: t.role, comment: t.comment })),
  }))
}

export type DemandItemRow = Awaited<ReturnType<typeof listDemandItems>>[number]
