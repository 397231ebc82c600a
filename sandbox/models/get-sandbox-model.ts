import type { Db } from '#db/client.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { findOwnModel } from './find-own-model.ts'
import { toModelView, type SandboxModelView } from './model-view.ts'

/** One of the actor's partner's models: its measures, checks and review state (another partner's is not found). */
export async function getSandboxModel(db: Db, opts: { actor: Actor; modelId: string }): Promise<Result<SandboxModelView>> {
  const row = await findOwnModel(db, opts.actor, opts.modelId)
  if (!row) return fail('not_found', 'model_not_found', 'No such model')
  return ok(toModelView(row))
}
