import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { agreementVersions } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'

export const AGREEMENT_COMMENT_MAX_LENGTH = 1000

/**
 * The bureau approves a drafted version (it becomes current on its effective date) or returns it with a comment saying
 * why. The route asks for a recent second factor before an approval, as for a price decision.
 */
export async function decideAgreementVersion(
  db: Db,
  opts: {
    versionId: string
    decision: 'approve' | 'return'
    comment?: string | null
    actor: Actor
    requestId?: string
    now?: number
  },
): Promise<Result<{ id: string; state: 'approved' | 'returned' }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'agreement_version.decide')
  if (denied) return denied
  const comment = opts.comment?.trim() || null
  if (opts.decision !== 'approve' && opts.decision !== 'return')
    return fail('validation', 'validation_failed', 'Unknown decision', { decision: 'invalid' })
  if (opts.decision === 'return' && !comment)
    return fail('validation', 'validation_failed', 'A returned version needs a comment', { comment: 'required' })
  if (comment && comment.length > AGREEMENT_COMMENT_MAX_LENGTH)
    return fail('validation', 'validation_failed', 'The comment is too long', { comment: 'length' })
  const [version] = await db
    .select({
      id: agreementVersions.id,
      state: agreementVersions.state,
      kind: agreementVersions.kind,
      version: agreementVersions.version,
    })
    .from(agreementVersions)
    .where(eq(agreementVersions.id, opts.versionId))
    .limit(1)
  if (!version) return fail('not_found', 'agreement_version_not_found', 'No such agreement version')
  if (version.state !== 'draft') return fail('conflict', 'not_draft', `The version is ${version.state}, not a draft`)
  const state = opts.decision === 'approve' ? 'approved' : 'returned'
  const now = opts.now ?? Date.now()
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: `agreement_version.${opts.decision}`,
      objectType: 'agreement_version',
      objectId: version.id,
      requestId: opts.requestId,
      detail: { kind: version.kind, version: version.version, comment },
    },
    [
      db
        .update(agreementVersions)
        .set({ state, decidedByUserId: opts.actor.id, decidedAt: now, decisionComment: comment })
        .where(and(eq(agreementVersions.id, version.id), eq(agreementVersions.state, 'draft'))),
    ],
  )
  return ok({ id: version.id, state })
}
