import type { Db } from '#db/client.ts'
import { INCIDENT_SEVERITIES, incidentEntries, incidents } from '#db/schema/index.ts'
import { nextSequenceCode, retryOnCodeRace } from '#catalog/codes/next-sequence-code.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { checkText } from '../emergency/check-text.ts'
import { checkAffected, type IncidentAffected } from './incident-affected.ts'

export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number]

/**
 * Opens an incident (Art. 13: 安全处置): its title, severity, what it affects and what was seen first, which becomes the
 * first entry of its timeline. The operator or the bureau opens it; every field is checked at once.
 */
export async function openIncident(
  db: Db,
  opts: {
    input: { title: string; severity: string; affected: Partial<IncidentAffected>; description: string }
    actor: Actor
    requestId?: string | null
    now?: number
  },
): Promise<Result<{ id: string; code: string }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'incident.open')
  if (denied) return denied
  const { input } = opts
  const fields: Record<string, string> = {}
  const title = checkText(input.title, 'title', { min: 2, max: 200 })
  if (title.error) fields.title = title.error.error.fields!.title!
  const description = checkText(input.description, 'description', { min: 4, max: 4000 })
  if (description.error) fields.description = description.error.error.fields!.description!
  if (!(INCIDENT_SEVERITIES as readonly string[]).includes(input.severity)) fields.severity = 'invalid'
  const affected = await checkAffected(db, input.affected)
  Object.assign(fields, affected.fields)
  if (Object.keys(fields).length > 0) return fail('validation', 'validation_failed', 'The incident is not valid', fields)

  const now = opts.now ?? Date.now()
  return retryOnCodeRace(async () => {
    const code = await nextSequenceCode(db, incidents.code, 'SJ', now)
    const id = crypto.randomUUID()
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'incident.open',
        objectType: 'incident',
        objectId: id,
        requestId: opts.requestId,
        detail: { code, title: title.text, severity: input.severity, affected: affected.value },
      },
      [
        db.insert(incidents).values({
          id,
          code,
          title: title.text!,
          severity: input.severity as IncidentSeverity,
          state: 'open',
          affected: JSON.stringify(affected.value),
          openedAt: now,
          openedByUserId: opts.actor.id,
          openedByLabel: opts.actor.label,
        }),
        db.insert(incidentEntries).values({
          incidentId: id,
          kind: 'opened',
          at: now,
          text: description.text!,
          actorUserId: opts.actor.id,
          actorLabel: opts.actor.label,
          actorRole: opts.actor.role,
          recordedAt: now,
        }),
      ],
    )
    return ok({ id, code })
  })
}
