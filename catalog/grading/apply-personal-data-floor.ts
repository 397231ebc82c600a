import { and, eq, exists, isNotNull } from 'drizzle-orm'
import { randomUUID } from 'node:crypto'
import type { Db } from '#db/client.ts'
import { datasetFields, datasetGradings, datasets, sourceUnits } from '#db/schema/index.ts'
import { recordAudit, systemActor, type Actor } from '#platform/audit/record-audit.ts'
import { assertPermitted } from '#platform/identity/permissions.ts'
import { PERSONAL_DATA_FLOOR } from './grading-rules.ts'
import { productEffectsOfGrading } from './product-effects.ts'

/**
 * The data half of migration 0027 (ADR 0037): every dataset with a personal-information field still graded below L2
 * (registered before the floor) is lifted to L2, one audited batch each, with a `floor` row in its grading history
 * that waits for its source unit's decision. Run after the migrations by the server and the CLI; idempotent.
 */
export async function applyPersonalDataFloor(db: Db, opts: { actor?: Actor; now?: number } = {}): Promise<{ raised: string[] }> {
  const actor = opts.actor ?? systemActor('migration 0027')
  assertPermitted(actor, 'dataset.raise_to_floor')
  const below = await db
    .select({ id: datasets.id, code: datasets.code, level: datasets.level, sourceUnitZh: sourceUnits.nameZh })
    .from(datasets)
    .innerJoin(sourceUnits, eq(sourceUnits.id, datasets.sourceUnitId))
    .where(
      and(
        eq(datasets.level, 'L1'),
        exists(
          db
            .select({ one: datasetFields.name })
            .from(datasetFields)
            .where(and(eq(datasetFields.datasetId, datasets.id), isNotNull(datasetFields.piTag))),
        ),
      ),
    )
  const raised: string[] = []
  for (const d of below) {
    const now = opts.now ?? Date.now()
    const effects = await productEffectsOfGrading(db, {
      datasetId: d.id,
      datasetCode: d.code,
      sourceUnitZh: d.sourceUnitZh,
      from: d.level,
      to: PERSONAL_DATA_FLOOR,
      now,
    })
    await recordAudit(
      db,
      {
        actor,
        action: 'dataset.floor_raised',
        objectType: 'dataset',
        objectId: d.id,
        detail: { code: d.code, from: d.level, to: PERSONAL_DATA_FLOOR, rule: 'personal_data_below_l2' },
      },
      [
        db
          .update(datasets)
          .set({ level: PERSONAL_DATA_FLOOR })
          .where(and(eq(datasets.id, d.id), eq(datasets.level, 'L1'))),
        db.insert(datasetGradings).values({
          id: randomUUID(),
          datasetId: d.id,
          kind: 'floor',
          level: PERSONAL_DATA_FLOOR,
          previousLevel: d.level,
          note: 'personal_data_below_l2',
          actorId: actor.id,
          actorLabel: actor.label,
          role: actor.role,
          at: now,
        }),
        ...effects.statements,
      ],
    )
    raised.push(d.code)
  }
  return { raised }
}
