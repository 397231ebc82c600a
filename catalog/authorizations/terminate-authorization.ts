import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { authorizations } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { endAuthorizationStatements } from './end-authorization.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

/**
 * The bureau terminates an authorization before its term (Art. 17, 27): access
 * closes at once, the dataset's data is deleted from the store in the same
 * batch, the logs stay. A reason is required.
 */
export async function terminateAuthorization(
  db: Db,
  opts: { actor: Actor; requestId?: string | null; code: string; reason: string; now?: number },
): Promise<Result<{ code: string; datasetCode: string; rowsDeleted: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'authorization.terminate')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const reason = opts.reason.trim()
  if (!reason) return fail('validation', 'reason_required', 'State why the authorization is terminated', { reason: 'required' })
  if (reason.length > 1000) return fail('validation', 'reason_too_long', 'At most 1000 characters', { reason: 'too_long' })
  const [authorization] = await db
    .select({
      id: authorizations.id,
      code: authorizations.code,
      datasetId: authorizations.datasetId,
      state: authorizations.state,
    })
    .from(authorizations)
    .where(eq(authorizations.code, opts.code))
  if (!authorization) return fail('not_found', 'authorization_not_found', `No authorization ${opts.code}`)
  // A suspended authorization can be terminated too: that is where an escalated rectification ends (Art. 27).
  if (authorization.state !== 'active' && authorization.state !== 'suspended')
    return fail('conflict', 'authorization_not_active', `Authorization ${opts.code} is already ${authorization.state}`)
  const end = await endAuthorizationStatements(db, { authorization, state: 'terminated', reason, now })
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'authorization.terminate',
      objectType: 'authorization',
      objectId: authorization.id,
      requestId: opts.requestId,
      detail: {
        code: authorization.code,
        dataset: end.datasetCode,
        reason,
        rowsDeleted: end.rowsDeleted,
        dataKept: end.dataKept,
      },
    },
    end.statements,
  )
  return ok({ code: authorization.code, datasetCode: end.datasetCode, rowsDeleted: end.rowsDeleted })
}
