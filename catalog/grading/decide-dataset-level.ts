import { and, eq, sql } from 'drizzle-orm'
import { randomUUID } from 'node:crypto'
import type { Db } from '#db/client.ts'
import { datasetFields, datasetGradings, datasets, sourceUnits, type SensitivityLevel } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted, sourceUnitScope } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { errorText } from '#platform/error-text.ts'
import { parseLevel, refuseBelowPersonalFloor, USAGE_REQUIREMENTS_MAX_LENGTH } from './grading-rules.ts'
import { productEffectsOfGrading, type SuspendedByGrading } from './product-effects.ts'

export interface GradingDecision {
  code: string
  level: SensitivityLevel
  previousLevel: SensitivityLevel
  /** Products suspended because their output no longer complies with the new level. */
  suspended: SuspendedByGrading[]
}

/**
 * Art. 5: the source unit that owns a dataset confirms or changes its level and states its usage requirements (使用要求).
 * The level applies at once — to the dataset, to its products' levels, and to the products whose output no longer
 * complies, which are suspended with the re-grading as their reason — in one audited batch. Another unit's dataset is
 * `not_found`; a dataset with personal fields is never graded below L2 (`personal_data_below_l2`).
 */
export async function decideDatasetLevel(
  db: Db,
  opts: {
    actor: Actor
    datasetCode: string
    level: unknown
    usageRequirements: unknown
    requestId?: string | null
    now?: number
  },
): Promise<Result<GradingDecision>> {
  const denied = refuseUnlessPermitted(opts.actor, 'dataset.decide_level')
  if (denied) return denied
  const scope = sourceUnitScope(opts.actor)
  const [dataset] = await db
    .select({
      id: datasets.id,
      code: datasets.code,
      level: datasets.level,
      sourceUnitZh: sourceUnits.nameZh,
    })
    .from(datasets)
    .innerJoin(sourceUnits, eq(sourceUnits.id, datasets.sourceUnitId))
    .where(and(eq(datasets.code, String(opts.datasetCode ?? '')), scope ? eq(datasets.sourceUnitId, scope) : undefined))
    .limit(1)
  if (!dataset) return fail('not_found', 'dataset_not_found', `No dataset ${opts.datasetCode}`)

  const fields: Record<string, string> = {}
  const parsed = parseLevel(opts.level)
  const requirements = typeof opts.usageRequirements === 'string' ? opts.usageRequirements.trim() : ''
  if (!requirements) fields.usageRequirements = 'required'
  else if (requirements.length > USAGE_REQUIREMENTS_MAX_LENGTH) fields.usageRequirements = 'too_long'
  else if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(requirements)) fields.usageRequirements = 'invalid'
  if ('error' in parsed) {
    if (parsed.error.error.code === 'level_not_operable' && Object.keys(fields).length === 0) return parsed.error
    Object.assign(fields, parsed.error.error.fields)
  }
  if (Object.keys(fields).length > 0 || 'error' in parsed)
    return fail('validation', 'invalid_grading', 'The grading has errors', fields)
  const level = parsed.level

  const tags = await db.select({ piTag: datasetFields.piTag }).from(datasetFields).where(eq(datasetFields.datasetId, dataset.id))
  const floor = refuseBelowPersonalFloor(
    level,
    tags.map((t) => t.piTag),
  )
  if (floor) return floor

  const now = opts.now ?? Date.now()
  const effects = await productEffectsOfGrading(db, {
    datasetId: dataset.id,
    datasetCode: dataset.code,
    sourceUnitZh: dataset.sourceUnitZh,
    from: dataset.level,
    to: level,
    now,
  })
  try {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'dataset.decide_level',
        objectType: 'dataset',
        objectId: dataset.id,
        requestId: opts.requestId,
        detail: {
          code: dataset.code,
          from: dataset.level,
          to: level,
          usageRequirements: requirements,
          suspendedProducts: effects.suspended.map((s) => s.code),
          relevelledProducts: effects.relevelled,
        },
      },
      [
        // Guarded (ADR 0028's pattern): when the level changed meanwhile, NOT NULL fails the whole batch → 409.
        db
          .update(datasets)
          .set({ level: sql`case when ${datasets.level} = ${dataset.level} then ${level} else null end` })
          .where(eq(datasets.id, dataset.id)),
        db.insert(datasetGradings).values({
          id: randomUUID(),
          datasetId: dataset.id,
          kind: 'decision',
          level,
          previousLevel: dataset.level,
          usageRequirements: requirements,
          suspendedProducts: JSON.stringify(effects.suspended.map((s) => s.code)),
          actorId: opts.actor.id,
          actorLabel: opts.actor.label,
          role: opts.actor.role,
          at: now,
        }),
        ...effects.statements,
      ],
    )
  } catch (error) {
    const text = errorText(error)
    if (text.includes('NOT NULL') && text.includes('datasets.level'))
      return fail('conflict', 'grading_changed', `${dataset.code} was re-graded meanwhile: reload and decide again`)
    if (text.includes('personal_data_below_l2')) return refuseBelowPersonalFloor(level, ['name'])!
    throw error
  }
  return ok({ code: dataset.code, level, previousLevel: dataset.level, suspended: effects.suspended })
}
