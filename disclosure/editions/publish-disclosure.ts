import { and, desc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { disclosureEditions, disclosureVersions } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { notificationStatements } from '#supervision/inbox/notification-statements.ts'
import { disclosureDeadline } from './disclosure-deadline.ts'

/**
 * The bureau publishes a year's edition: the version it reviewed (`version`, so a version prepared meanwhile is not
 * published unseen). From then on the edition is public at /disclosure/<year> and final (a trigger). Audited; the
 * operator is told. Published after 31 March of the next year: `late` (recorded, not refused).
 */
export async function publishDisclosure(
  db: Db,
  opts: { year: number; version: number; actor: Actor; now?: number; requestId?: string | null },
): Promise<Result<{ year: number; version: number; publishedAt: number; late: boolean }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'disclosure.publish')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  if (!Number.isSafeInteger(opts.year) || !Number.isSafeInteger(opts.version))
    return fail('validation', 'validation_failed', 'Name a year and a version', { version: 'invalid' })
  const [edition] = await db.select().from(disclosureEditions).where(eq(disclosureEditions.year, opts.year))
  if (!edition) return fail('not_found', 'disclosure_not_found', `No ${opts.year} disclosure has been prepared`)
  if (edition.state === 'published') return fail('conflict', 'disclosure_published', `The ${opts.year} disclosure is published`)
  const [latest] = await db
    .select({ id: disclosureVersions.id, version: disclosureVersions.version })
    .from(disclosureVersions)
    .where(eq(disclosureVersions.editionId, edition.id))
    .orderBy(desc(disclosureVersions.version))
    .limit(1)
  if (!latest) return fail('not_found', 'disclosure_not_found', `No ${opts.year} disclosure has been prepared`)
  if (latest.version !== opts.version)
    return fail('conflict', 'disclosure_version_stale', `Version ${latest.version} was prepared since; review it first`)
  const late = now >= disclosureDeadline(opts.year)
  const updated = db
    .update(disclosureEditions)
    .set({ state: 'published', publishedVersionId: latest.id, publishedAt: now, publishedByUserId: opts.actor.id })
    .where(and(eq(disclosureEditions.id, edition.id), eq(disclosureEditions.state, 'draft')))
    .returning({ id: disclosureEditions.id })
  const told = await notificationStatements(db, {
    audiences: [{ kind: 'operator' }],
    kind: 'disclosure_published',
    params: { year: String(opts.year), version: String(latest.version) },
    now,
  })
  try {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: 'disclosure.published',
        objectType: 'disclosure',
        objectId: String(opts.year),
        requestId: opts.requestId,
        detail: { year: opts.year, version: latest.version, late },
      },
      [updated, ...told],
    )
  } catch (error) {
    if (
      String(error).includes('disclosure_immutable') ||
      String((error as { cause?: unknown }).cause).includes('disclosure_immutable')
    )
      return fail('conflict', 'disclosure_published', `The ${opts.year} disclosure is published`)
    throw error
  }
  return ok({ year: opts.year, version: latest.version, publishedAt: now, late })
}
