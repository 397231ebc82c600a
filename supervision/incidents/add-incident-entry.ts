import type { Db } from '#db/client.ts'
import { incidentEntries } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { checkText } from '../emergency/check-text.ts'
import { findIncidentRow } from './find-incident.ts'

/**
 * Appends to an open incident's timeline: a note (what was learned) or an action (what was done: a stop, a key
 * revoked, a partner told). Entries are never edited or removed (a trigger refuses it): a correction is a new entry.
 */
export async function addIncidentEntry(
  db: Db,
  opts: { incident: string; kind: string; text: string; actor: Actor; requestId?: string | null; now?: number },
): Promise<Result<{ id: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'incident.add_entry')
  if (denied) return denied
  const fields: Record<string, string> = {}
  if (opts.kind !== 'note' && opts.kind !== 'action') fields.kind = 'invalid'
  const text = checkText(opts.text, 'text', { min: 2, max: 4000 })
  if (text.error) fields.text = text.error.error.fields!.text!
  if (Object.keys(fields).length > 0) return fail('validation', 'validation_failed', 'The entry is not valid', fields)
  const incident = await findIncidentRow(db, opts.incident)
  if (!incident) return fail('not_found', 'incident_not_found', 'No such incident')
  if (incident.state === 'closed') return fail('conflict', 'incident_closed', `${incident.code} is closed`)
  const now = opts.now ?? Date.now()
  const id = crypto.randomUUID()
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'incident.add_entry',
      objectType: 'incident',
      objectId: incident.id,
      requestId: opts.requestId,
      detail: { code: incident.code, kind: opts.kind },
    },
    [
      db.insert(incidentEntries).values({
        id,
        incidentId: incident.id,
        kind: opts.kind as 'note' | 'action',
        at: now,
        text: text.text!,
        actorUserId: opts.actor.id,
        actorLabel: opts.actor.label,
        actorRole: opts.actor.role,
        recordedAt: now,
      }),
    ],
  )
  return ok({ id })
}
