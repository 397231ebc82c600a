import { desc, inArray } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partnerApplications, type ApplicationState } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { ok, type Result } from '#platform/result.ts'
import { maskIdNumber, maskPhone, openIdNumber, openPhone } from './application-rules.ts'

/** The operator's queue, newest first; ID numbers and phones masked (ADR 0030). */
export async function listPartnerApplications(
  db: Db,
  opts: { actor: Actor; states?: readonly ApplicationState[] },
): Promise<Result<ApplicationListRow[]>> {
  const denied = refuseUnlessPermitted(opts.actor, 'partner_application.view')
  if (denied) return denied
  const rows = await db
    .select()
    .from(partnerApplications)
    .where(opts.states && opts.states.length > 0 ? inArray(partnerApplications.state, [...opts.states]) : undefined)
    .orderBy(desc(partnerApplications.createdAt), desc(partnerApplications.number))
    .limit(500)
  return ok(
    rows.map((r) => ({
      number: r.number,
      kind: r.kind,
      name: r.name,
      uscc: r.uscc,
      idNumber: maskIdNumber(openIdNumber(r.idNumber)),
      contactName: r.contactName,
      contactPhone: maskPhone(openPhone(r.contactPhone)),
      purpose: r.purpose,
      state: r.state,
      submittedAt: r.createdAt,
      decidedAt: r.decidedAt,
    })),
  )
}
export interface ApplicationListRow {
  number: string
  kind: string
  name: string
  uscc: string | null
  idNumber: string | null
  contactName: string
  contactPhone: string
  purpose: string
  state: ApplicationState
  submittedAt: number
  decidedAt: number | null
}
