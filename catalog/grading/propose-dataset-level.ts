import { eq } from 'drizzle-orm'
import { randomUUID } from 'node:crypto'
import type { Db } from '#db/client.ts'
import { datasetFields, datasetGradings, datasets, type SensitivityLevel } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { parseLevel, PROPOSAL_NOTE_MAX_LENGTH, refuseBelowPersonalFloor } from './grading-rules.ts'

/**
 * The operator proposes a level for a dataset (Art. 5: the source unit decides). Nothing in force changes: the
 * dataset shows `proposed` until its source unit confirms or changes the level. A dataset with personal fields is
 * never proposed below L2 (`personal_data_below_l2`).
 */
export async function proposeDatasetLevel(
  db: Db,
  opts: { actor: Actor; datasetCode: string; level: unknown; note?: unknown; requestId?: string | null; now?: number },
): Promise<Result<{ code: string; level: SensitivityLevel }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'dataset.propose_level')
  if (denied) return denied
  const [dataset] = await db
    .select({ id: datasets.id, code: datasets.code, level: datasets.level })
    .from(datasets)
    .where(eq(datasets.code, String(opts.datasetCode ?? '')))
    .limit(1)
  if (!dataset) return fail('not_found', 'dataset_not_found', `No dataset ${opts.datasetCode}`)
  const parsed = parseLevel(opts.level)
  const note = typeof opts.note === 'string' ? opts.note.trim() : ''
  const fields: Record<string, string> = {}
  if (note.length > PROPOSAL_NOTE_MAX_LENGTH) fields.note = 'too_long'
  if ('error' in parsed) {
    if (parsed.error.error.code === 'level_not_operable' && Object.keys(fields).length === 0) return parsed.error
    Object.assign(fields, parsed.error.error.fields)
  }
  if (Object.keys(fields).length > 0 || 'error' in parsed)
    return fail('validation', 'invalid_grading', 'The proposal has errors', fields)
  const level = parsed.level
  const tags = await db.select({ piTag: datasetFields.piTag }).from(datasetFields).where(eq(datasetFields.datasetId, dataset.id))
  const floor = refuseBelowPersonalFloor(
    level,
    tags.map((t) => t.piTag),
  )
  if (floor) return floor
  const now = opts.now ?? Date.now()
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'dataset.propose_level',
      objectType: 'dataset',
      objectId: dataset.id,
      requestId: opts.requestId,
      detail: { code: dataset.code, level, inForce: dataset.level, note: note || null },
    },
    [
      db.insert(datasetGradings).values({
        id: randomUUID(),
        datasetId: dataset.id,
        kind: 'proposal',
        level,
        previousLevel: dataset.level,
        note: note || null,
        actorId: opts.actor.id,
        actorLabel: opts.actor.label,
        role: opts.actor.role,
        at: now,
      }),
    ],
  )
  return ok({ code: dataset.code, level })
}
