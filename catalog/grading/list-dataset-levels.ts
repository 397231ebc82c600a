import { and, asc, eq, inArray, isNotNull, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import {
  datasetFields,
  datasetGradings,
  datasets,
  productDatasets,
  products,
  sourceUnits,
  users,
  type SensitivityLevel,
} from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { sourceUnitScope } from '#platform/identity/permissions.ts'
import { outputKindOf } from './grading-rules.ts'

export interface GradingStep {
  kind: 'proposal' | 'decision' | 'floor' | 'registration'
  level: SensitivityLevel
  previousLevel: SensitivityLevel | null
  usageRequirements: string | null
  note: string | null
  suspendedProducts: string[]
  actorLabel: string | null
  role: string | null
  at: number
}

export interface DatasetLevelRow {
  code: string
  nameZh: string
  nameEn: string
  sourceUnitCode: string
  sourceUnitZh: string
  sourceUnitEn: string
  /** The level in force: what the output rules apply. */
  level: SensitivityLevel
  hasPersonalFields: boolean
  /** `proposed`: waiting for the source unit; `confirmed`: its decision is the latest step. */
  state: 'proposed' | 'confirmed'
  /** The latest proposal (or floor lift, or the registration when nothing was recorded). */
  proposed: GradingStep
  /** The source unit's latest decision, if any. */
  confirmed: GradingStep | null
  usageRequirements: string | null
}

/**
 * Every dataset's grading (Art. 5): the level in force, the latest proposal and the source unit's latest decision. A
 * source unit sees only its own datasets; the platform's roles (operator, bureau, auditor, CLI) see all.
 */
export async function listDatasetLevels(db: Db, opts: { actor: Actor; code?: string }): Promise<DatasetLevelRow[]> {
  const scope = sourceUnitScope(opts.actor)
  const rows = await db
    .select({
      id: datasets.id,
      code: datasets.code,
      nameZh: datasets.nameZh,
      nameEn: datasets.nameEn,
      level: datasets.level,
      createdAt: datasets.createdAt,
      registeredBy: users.displayName,
      sourceUnitCode: sourceUnits.code,
      sourceUnitZh: sourceUnits.nameZh,
      sourceUnitEn: sourceUnits.nameEn,
    })
    .from(datasets)
    .innerJoin(sourceUnits, eq(sourceUnits.id, datasets.sourceUnitId))
    .leftJoin(users, eq(users.id, datasets.registeredByUserId))
    .where(
      and(
        scope ? eq(datasets.sourceUnitId, scope) : undefined,
        opts.code !== undefined ? eq(datasets.code, opts.code) : undefined,
      ),
    )
    .orderBy(asc(datasets.code))
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const [steps, personal] = await Promise.all([
    db
      .select()
      .from(datasetGradings)
      .where(inArray(datasetGradings.datasetId, ids))
      .orderBy(asc(datasetGradings.at), sql`rowid`),
    db
      .selectDistinct({ datasetId: datasetFields.datasetId })
      .from(datasetFields)
      .where(and(inArray(datasetFields.datasetId, ids), isNotNull(datasetFields.piTag))),
  ])
  const withPersonal = new Set(personal.map((p) => p.datasetId))
  return rows.map((r) => {
    const own = steps.filter((s) => s.datasetId === r.id).map(toStep)
    const registration: GradingStep = {
      kind: 'registration',
      level: r.level,
      previousLevel: null,
      usageRequirements: null,
      note: null,
      suspendedProducts: [],
      actorLabel: r.registeredBy,
      role: null,
      at: r.createdAt,
    }
    const proposed = own.filter((s) => s.kind !== 'decision').at(-1) ?? registration
    const confirmed = own.filter((s) => s.kind === 'decision').at(-1) ?? null
    const latest = own.at(-1)
    return {
      code: r.code,
      nameZh: r.nameZh,
      nameEn: r.nameEn,
      sourceUnitCode: r.sourceUnitCode,
      sourceUnitZh: r.sourceUnitZh,
      sourceUnitEn: r.sourceUnitEn,
      level: r.level,
      hasPersonalFields: withPersonal.has(r.id),
      state: latest?.kind === 'decision' ? 'confirmed' : 'proposed',
      proposed,
      confirmed,
      usageRequirements: confirmed?.usageRequirements ?? null,
    }
  })
}

function toStep(s: typeof datasetGradings.$inferSelect): GradingStep {
  return {
    kind: s.kind,
    level: s.level,
    previousLevel: s.previousLevel,
    usageRequirements: s.usageRequirements,
    note: s.note,
    suspendedProducts: s.suspendedProducts ? (JSON.parse(s.suspendedProducts) as string[]) : [],
    actorLabel: s.actorLabel,
    role: s.role,
    at: s.at,
  }
}

/**
 * One dataset's grading with its whole history (oldest first) and the products drawing on it, with what each lets
 * out of it and its suspension. Null when there is no such dataset, or it is another source unit's.
 */
export async function findDatasetGrading(db: Db, opts: { actor: Actor; code: string }) {
  const [row] = await listDatasetLevels(db, opts)
  if (!row) return null
  const [dataset] = await db.select({ id: datasets.id }).from(datasets).where(eq(datasets.code, opts.code))
  const [history, linked] = await Promise.all([
    db
      .select()
      .from(datasetGradings)
      .where(eq(datasetGradings.datasetId, dataset!.id))
      .orderBy(asc(datasetGradings.at), sql`rowid`),
    db
      .select({
        code: products.code,
        nameZh: products.nameZh,
        nameEn: products.nameEn,
        form: products.form,
        state: products.state,
        suspendedAt: products.suspendedAt,
        suspensionReason: products.suspensionReason,
        outputKind: productDatasets.outputKind,
      })
      .from(productDatasets)
      .innerJoin(products, eq(products.id, productDatasets.productId))
      .where(eq(productDatasets.datasetId, dataset!.id))
      .orderBy(asc(products.code)),
  ])
  return {
    ...row,
    history: history.map(toStep),
    products: linked.map(({ outputKind, ...p }) => ({ ...p, outputKind: outputKindOf(p.form, outputKind) })),
  }
}

export type DatasetGradingDetail = NonNullable<Awaited<ReturnType<typeof findDatasetGrading>>>
