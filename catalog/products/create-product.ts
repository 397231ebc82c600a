import { eq, inArray } from 'drizzle-orm'
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import type { Db } from '#db/client.ts'
import { DATA_DOMAINS, datasets, PRODUCT_FORMS, productDatasets, products } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { fieldErrors } from '#platform/validation/field-errors.ts'
import { highestLevel } from './product-level.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

const jsonText = z
  .string()
  .trim()
  .max(10_000)
  .refine((s) => {
    if (!s) return true
    try {
      JSON.parse(s)
      return true
    } catch {
      return false
    }
  }, 'json')

export const productInputSchema = z.object({
  code: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9-]{2,63}$/, 'code_format'),
  nameZh: z.string().trim().min(1, 'required').max(100),
  nameEn: z.string().trim().min(1, 'required').max(200),
  descriptionZh: z.string().trim().max(4000).default(''),
  descriptionEn: z.string().trim().max(4000).default(''),
  form: z.enum(PRODUCT_FORMS),
  domain: z.enum(DATA_DOMAINS).default('other'),
  datasetCodes: z.array(z.string().trim().min(1)).min(1, 'datasets_required').max(20),
  apiPath: z.string().trim().max(200).nullable().optional(),
  exampleRequest: jsonText.nullable().optional(),
  exampleResponse: jsonText.nullable().optional(),
})

export type ProductInput = z.input<typeof productInputSchema>

/** Resolves the dataset codes; an unknown one is a field error. */
export async function resolveProductDatasets(
  db: Db,
  codes: readonly string[],
): Promise<Result<{ id: string; code: string; level: 'L1' | 'L2' | 'L3' | 'L4' }[]>> {
  const unique = [...new Set(codes)]
  const found = await db
    .select({ id: datasets.id, code: datasets.code, level: datasets.level })
    .from(datasets)
    .where(inArray(datasets.code, unique))
  const missing = unique.filter((c) => !found.some((f) => f.code === c))
  if (missing.length > 0)
    return fail('validation', 'invalid_product', `Unknown dataset(s): ${missing.join(', ')}`, { datasetCodes: 'not_found' })
  return ok(found)
}

/**
 * The operator drafts a data product (Art. 2: one of the six forms) naming the
 * datasets it uses; its level is the highest of theirs.
 */
export async function createProduct(
  db: Db,
  opts: { actor: Actor; requestId?: string | null; input: ProductInput },
): Promise<Result<{ id: string; code: string; level: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'product.create')
  if (denied) return denied
  const parsed = productInputSchema.safeParse(opts.input)
  if (!parsed.success)
    return fail('validation', 'invalid_product', 'The product has errors', fieldErrors(parsed.error, { root: '_' }))
  const input = parsed.data
  const [taken] = await db.select({ id: products.id }).from(products).where(eq(products.code, input.code))
  if (taken) return fail('conflict', 'code_taken', `Product code ${input.code} is taken`, { code: 'code_taken' })
  const resolved = await resolveProductDatasets(db, input.datasetCodes)
  if (!resolved.ok) return resolved
  const level = highestLevel(resolved.value.map((d) => d.level))
  const id = randomUUID()
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'product.create',
      objectType: 'product',
      objectId: id,
      requestId: opts.requestId,
      detail: { code: input.code, form: input.form, level, datasets: resolved.value.map((d) => d.code) },
    },
    [
      db.insert(products).values({
        id,
        code: input.code,
        nameZh: input.nameZh,
        nameEn: input.nameEn,
        descriptionZh: input.descriptionZh,
        descriptionEn: input.descriptionEn,
        form: input.form,
        domain: input.domain,
        level,
        state: 'draft',
        apiPath: input.apiPath || null,
        exampleRequest: input.exampleRequest || null,
        exampleResponse: input.exampleResponse || null,
      }),
      ...resolved.value.map((d) => db.insert(productDatasets).values({ productId: id, datasetId: d.id })),
    ],
  )
  return ok({ id, code: input.code, level })
}
