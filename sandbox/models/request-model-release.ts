import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { sandboxModels, type SandboxModelState } from '#db/schema/sandbox-models.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { findOwnModel } from './find-own-model.ts'
import type { ReversibilityCheck } from './reversibility-checks.ts'

/**
 * A partner asks to release a trained model (issue 13, ADR 0044). The reversibility checks, run at training, decide
 * first: a model failing any of them is refused here (`reversibility_check_failed`, the failing checks named) and no
 * reviewer ever sees it. A passing one waits for the operator (and then, for L3 data and above, the bureau).
 */
export async function requestModelRelease(
  db: Db,
  opts: { actor: Actor; modelId: string; now: number; requestId?: string | null },
): Promise<Result<{ state: SandboxModelState }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'sandbox_model.request_release')
  if (denied) return denied
  const row = await findOwnModel(db, opts.actor, opts.modelId)
  if (!row) return fail('not_found', 'model_not_found', 'No such model')
  if (row.state !== 'trained') return fail('conflict', 'release_already_requested', `The model is already ${row.state}`)
  const failed = (JSON.parse(row.checks) as ReversibilityCheck[]).filter((c) => !c.passed)
  const state: SandboxModelState = failed.length > 0 ? 'refused' : 'pending_operator'
  const refusalCode = failed[0]?.code ?? null
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: failed.length > 0 ? 'sandbox_model.release_refused' : 'sandbox_model.release_requested',
      objectType: 'sandbox_model',
      objectId: row.id,
      requestId: opts.requestId ?? null,
      detail: { state, failedChecks: failed.map((c) => c.code), level: row.level },
    },
    [
      db
        .update(sandboxModels)
        .set({ state, refusalCode, requestedAt: opts.now, requestedByUserId: opts.actor.id })
        .where(and(eq(sandboxModels.id, row.id), eq(sandboxModels.state, 'trained'))),
    ],
  )
  if (failed.length > 0)
    return fail(
      'conflict',
      'reversibility_check_failed',
      `The model fails the reversibility checks: ${failed.map((c) => c.code).join(', ')}`,
      Object.fromEntries(failed.map((c) => [`checks.${c.code}`, 'failed'])),
    )
  return ok({ state })
}
