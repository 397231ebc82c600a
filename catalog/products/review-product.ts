import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { products } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { nextSequenceCode, retryOnCodeRace } from '#catalog/codes/next-sequence-code.ts'
import { findProductAuthorizationState } from '#catalog/authorizations/find-product-authorization-state.ts'
import { highestLevel, productDatasetsOf } from './product-level.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/**
 * The bureau reviews a product under review: approve → published (only when
 * every dataset has an authorization in force, else `dataset_not_authorized`;
 * level recomputed; registration code `SYGD-CP-<YYYY>-<NNNN>` assigned), or
 * return it to draft with a comment (required).
 */
export async function reviewProduct(
  db: Db,
  opts: {
    actor: Actor
    requestId?: string | null
    code: string
    decision: 'approve' | 'return'
    comment?: string | null
    now?: number
  },
): Promise<Result<{ code: string; state: 'published' | 'draft'; registrationCode: string | null }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'product.review')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const comment = opts.comment?.trim() || null
  if (opts.decision === 'return' && !comment)
    return fail('validation', 'comment_required', 'Say why the product is returned', { comment: 'required' })
  if (comment && comment.length > 1000)
    return fail('validation', 'comment_too_long', 'At most 1000 characters', { comment: 'too_long' })
  const [product] = await db
    .select({ id: products.id, state: products.state, registrationCode: products.registrationCode })
    .from(products)
    .where(eq(products.code, opts.code))
  if (!product) return fail('not_found', 'product_not_found', `No product ${opts.code}`)
  if (product.state !== 'under_review')
    return fail('conflict', 'product_not_under_review', `The product is ${product.state}, not under review`)

  if (opts.decision === 'return') {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'product.return',
        objectType: 'product',
        objectId: product.id,
        requestId: opts.requestId,
        detail: { code: opts.code, comment },
      },
      [
        db
          .update(products)
          .set({ state: 'draft', reviewComment: comment })
          .where(and(eq(products.id, product.id), eq(products.state, 'under_review'))),
      ],
    )
    return ok({ code: opts.code, state: 'draft', registrationCode: product.registrationCode })
  }

  const used = await productDatasetsOf(db, product.id)
  const authorization = await findProductAuthorizationState(db, { productId: product.id, now })
  if (used.length === 0 || !authorization.ok) {
    return fail(
      'conflict',
      'dataset_not_authorized',
      `No authorization in force for: ${authorization.endedDatasetCodes.join(', ') || 'any dataset'}`,
      {
        datasetCodes: 'dataset_not_authorized',
      },
    )
  }
  const level = highestLevel(used.map((d) => d.level))
  return retryOnCodeRace(async () => {
    // A product returned after an earlier publication keeps its registration code.
    const registrationCode = product.registrationCode ?? (await nextSequenceCode(db, products.registrationCode, 'SYGD-CP', now))
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'product.publish',
        objectType: 'product',
        objectId: product.id,
        requestId: opts.requestId,
        detail: { code: opts.code, level, registrationCode, authorizations: authorization.authorizationCodes, comment },
      },
      [
        db
          .update(products)
          .set({ state: 'published', level, registrationCode, publishedAt: now, reviewComment: comment })
          .where(and(eq(products.id, product.id), eq(products.state, 'under_review'))),
      ],
    )
    return ok({ code: opts.code, state: 'published' as const, registrationCode })
  })
}
