import { eq } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '#db/client.ts'
import { datasets, DELIVERY_MODES, sourceUnits } from '#db/schema/index.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { fieldErrors } from '#platform/validation/field-errors.ts'
import { MAX_TERM_MONTHS } from '#catalog/authorizations/term.ts'

/** Art. 14: the data needed (a registered dataset, or a description and the unit that holds it), the retrieval method, the usage scenario. */
export const demandItemInputSchema = z.object({
  datasetCode: z.string().trim().max(40).nullable().optional(),
  sourceUnitCode: z.string().trim().max(60).nullable().optional(),
  dataDescription: z.string().trim().min(1, 'required').max(1000),
  retrievalMethod: z.enum(DELIVERY_MODES),
  usageScenario: z.string().trim().min(1, 'required').max(1000),
  requestedTermMonths: z.number().int().min(1, 'term_range').max(MAX_TERM_MONTHS, 'term_range').default(12),
})

export type DemandItemInput = z.input<typeof demandItemInputSchema>

export interface ResolvedDemandItem {
  datasetId: string | null
  sourceUnitId: string
  dataDescription: string
  retrievalMethod: (typeof DELIVERY_MODES)[number]
  usageScenario: string
  requestedTermMonths: number
}

/** Validates an item and resolves which source unit must decide it (the dataset's, or the one named). */
export async function resolveDemandItem(db: Db, input: DemandItemInput): Promise<Result<ResolvedDemandItem>> {
  const parsed = demandItemInputSchema.safeParse(input)
  if (!parsed.success)
    return fail('validation', 'invalid_demand_item', 'The demand item has errors', fieldErrors(parsed.error, { root: '_' }))
  const item = parsed.data
  if (item.datasetCode) {
    const [ds] = await db
      .select({ id: datasets.id, sourceUnitId: datasets.sourceUnitId })
      .from(datasets)
      .where(eq(datasets.code, item.datasetCode))
    if (!ds) return fail('validation', 'invalid_demand_item', `No dataset ${item.datasetCode}`, { datasetCode: 'not_found' })
    return ok({ ...item, datasetId: ds.id, sourceUnitId: ds.sourceUnitId })
  }
  if (!item.sourceUnitCode) {
    return fail('validation', 'invalid_demand_item', 'Name a dataset, or the source unit that holds the data', {
      datasetCode: 'dataset_or_unit',
    })
  }
  const [unit] = await db.select({ id: sourceUnits.id }).from(sourceUnits).where(eq(sourceUnits.code, item.sourceUnitCode))
  if (!unit)
    return fail('validation', 'invalid_demand_item', `No source unit ${item.sourceUnitCode}`, { sourceUnitCode: 'not_found' })
  return ok({ ...item, datasetId: null, sourceUnitId: unit.id })
}
