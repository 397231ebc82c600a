import { and, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { incidentEntries, incidents } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { checkText } from '../emergency/check-text.ts'
import { findIncidentRow } from './find-incident.ts'

/** Closes an incident with its summary (cause, impact, what was done, what changes), the timeline's last entry. */
export async function closeIncident(
  db: Db,
  opts: { incident: string; summary: string; actor: Actor; requestId?: string | null; now?: number },
): Promise<Result<{ code: string; closedAt: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'incident.close')
  if (denied) return denied
  const summary = checkText(opts.summary, 'summary', { min: 4, max: 4000 })
  if (summary.error) return summary.error
  const incident = await findIncidentRow(db, opts.incident)
  if (!incident) return fail('not_found', 'incident_not_found', 'No such incident')
  if (incident.state === 'closed') return fail('conflict', 'incident_closed', `${incident.code} is already closed`)
  const now = opts.now ?? Date.now()
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'incident.close',
      objectType: 'incident',
      objectId: incident.id,
      requestId: opts.requestId,
      detail: { code: incident.code },
    },
    [
      db
        .update(incidents)
        .set({ state: 'closed', closedAt: now, closedByLabel: opts.actor.label, closureSummary: summary.text })
        .where(and(eq(incidents.id, incident.id), eq(incidents.state, 'open'))),
      db.insert(incidentEntries).values({
        incidentId: incident.id,
        kind: 'closed',
        at: now,
        text: summary.text!,
        actorUserId: opts.actor.id,
        actorLabel: opts.actor.label,
        actorRole: opts.actor.role,
        recordedAt: now,
      }),
    ],
  )
  return ok({ code: incident.code, closedAt: now })
}
