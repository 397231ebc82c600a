import { and, desc, eq, inArray } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partners } from '#db/schema/index.ts'
import { sandboxModels } from '#db/schema/sandbox-models.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { toModelView, type SandboxModelView } from './model-view.ts'

const LIMIT = 50

/** The actor's partner's latest models (a partner's people), newest first. */
export async function listPartnerModels(db: Db, opts: { actor: Actor }): Promise<SandboxModelView[]> {
  if (!opts.actor.partnerId) return []
  const rows = await db
    .select()
    .from(sandboxModels)
    .where(eq(sandboxModels.partnerId, opts.actor.partnerId))
    .orderBy(desc(sandboxModels.trainedAt))
    .limit(LIMIT)
  return rows.map(toModelView)
}

export interface ModelReviewItem extends SandboxModelView {
  partner: { code: string; name: string }
}

/**
 * A reviewer's queue: the operator sees models waiting for the operator, the bureau those waiting for the bureau (L3
 * and above, after the operator). Anyone else sees nothing.
 */
export async function listModelReviews(db: Db, opts: { actor: Actor }): Promise<ModelReviewItem[]> {
  const stage = opts.actor.role === 'operator' ? 'pending_operator' : opts.actor.role === 'bureau' ? 'pending_bureau' : null
  if (!stage) return []
  const rows = await db
    .select({ model: sandboxModels, partnerCode: partners.code, partnerName: partners.name })
    .from(sandboxModels)
    .innerJoin(partners, eq(partners.id, sandboxModels.partnerId))
    .where(and(inArray(sandboxModels.state, [stage])))
    .orderBy(sandboxModels.requestedAt)
    .limit(LIMIT)
  return rows.map((r) => ({ ...toModelView(r.model), partner: { code: r.partnerCode, name: r.partnerName } }))
}
