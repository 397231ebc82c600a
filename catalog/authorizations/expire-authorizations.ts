import { and, asc, inArray, lte } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { authorizations } from '#db/schema/index.ts'
import { recordAudit, systemActor, type Actor } from '#platform/audit/record-audit.ts'
import { assertPermitted } from '#platform/identity/permissions.ts'
import { endAuthorizationStatements } from './end-authorization.ts'

export interface ExpiredAuthorization {
  code: string
  datasetCode: string
  endsAt: number
  rowsDeleted: number
  dataKept: boolean
}

/**
 * The daily job (Art. 17): every active (or suspended) authorization whose term has ended
 * becomes `expired` and its dataset's data is deleted from the platform store
 * in the same batch (logs stay). Access closed already at `endsAt`: the gateway
 * checks the term itself (find-product-authorization-state.ts). Safe to run
 * any number of times. Only the job itself and the CLI run it (a wrong actor throws PermissionError).
 */
export async function expireAuthorizations(db: Db, opts: { now?: number; actor?: Actor } = {}): Promise<ExpiredAuthorization[]> {
  const actor = opts.actor ?? systemActor('expiry-job')
  assertPermitted(actor, 'authorization.expire')
  const now = opts.now ?? Date.now()
  const due = await db
    .select({
      id: authorizations.id,
      code: authorizations.code,
      datasetId: authorizations.datasetId,
      endsAt: authorizations.endsAt,
    })
    .from(authorizations)
    // A suspended authorization still ends at its term (ADR 0028): the pause does not extend it.
    .where(and(inArray(authorizations.state, ['active', 'suspended']), lte(authorizations.endsAt, now)))
    .orderBy(asc(authorizations.endsAt))
  const expired: ExpiredAuthorization[] = []
  for (const authorization of due) {
    const end = await endAuthorizationStatements(db, { authorization, state: 'expired', reason: 'term_ended', now })
    await recordAudit(
      db,
      {
        actor,
        action: 'authorization.expire',
        objectType: 'authorization',
        objectId: authorization.id,
        detail: {
          code: authorization.code,
          dataset: end.datasetCode,
          endsAt: authorization.endsAt,
          rowsDeleted: end.rowsDeleted,
          dataKept: end.dataKept,
        },
      },
      end.statements,
    )
    expired.push({
      code: authorization.code,
      datasetCode: end.datasetCode,
      endsAt: authorization.endsAt,
      rowsDeleted: end.rowsDeleted,
      dataKept: end.dataKept,
    })
  }
  return expired
}
