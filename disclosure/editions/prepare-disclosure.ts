import { randomUUID } from 'node:crypto'
import { desc, eq } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '#db/client.ts'
import { disclosureEditions, disclosureVersions } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { calendarYear } from '#platform/calendar/shanghai-calendar.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { fieldErrors } from '#platform/validation/field-errors.ts'
import { collectDisclosureFigures, type DisclosureFigures } from '../figures/collect-disclosure-figures.ts'
import { emptyNarrative, narrativeSchema, parseStoredNarrative, type DisclosureNarrative } from './disclosure-narrative.ts'

export interface PreparedDisclosure {
  year: number
  editionId: string
  version: number
  figures: DisclosureFigures
  narrative: DisclosureNarrative
}

/** The first year the platform can disclose (its records start in 2024). */
export const FIRST_DISCLOSURE_YEAR = 2024

/**
 * The operator prepares a year's edition: a new version whose figures are frozen from the records now, and whose
 * narrative is the one given or, if none, the previous version's. `refreshFigures: false` keeps the latest version's
 * figures (a narrative edit). A published edition is final: nothing more is prepared for it.
 */
export async function prepareDisclosure(
  db: Db,
  opts: {
    year: unknown
    narrative?: unknown
    refreshFigures?: boolean
    actor: Actor
    now?: number
    requestId?: string | null
  },
): Promise<Result<PreparedDisclosure>> {
  const denied = refuseUnlessPermitted(opts.actor, 'disclosure.prepare')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const year = typeof opts.year === 'string' && /^\d{4}$/.test(opts.year) ? Number(opts.year) : opts.year
  if (typeof year !== 'number' || !Number.isSafeInteger(year) || year < FIRST_DISCLOSURE_YEAR || year > calendarYear(now))
    return fail('validation', 'validation_failed', 'No such disclosure year', { year: 'invalid_year' })
  let narrative: DisclosureNarrative | null = null
  if (opts.narrative !== undefined) {
    const parsed = narrativeSchema.safeParse(opts.narrative)
    if (!parsed.success) return fail('validation', 'validation_failed', 'The narrative is not valid', fieldErrors(parsed.error))
    narrative = parsed.data
  }

  const [edition] = await db.select().from(disclosureEditions).where(eq(disclosureEditions.year, year))
  if (edition?.state === 'published')
    return fail('conflict', 'disclosure_published', `The ${year} disclosure is published and final`)
  const [latest] = edition
    ? await db
        .select()
        .from(disclosureVersions)
        .where(eq(disclosureVersions.editionId, edition.id))
        .orderBy(desc(disclosureVersions.version))
        .limit(1)
    : []
  if (opts.refreshFigures === false && !latest)
    return fail('conflict', 'disclosure_not_prepared', `Prepare the ${year} figures first`)
  const figures =
    opts.refreshFigures === false && latest
      ? (JSON.parse(latest.figures) as DisclosureFigures)
      : await collectDisclosureFigures(db, { year, now })
  const figuresAt = opts.refreshFigures === false && latest ? latest.figuresAt : now
  const finalNarrative = narrative ?? (latest ? parseStoredNarrative(latest.narrative) : emptyNarrative())
  const editionId = edition?.id ?? randomUUID()
  const version = (latest?.version ?? 0) + 1
  const changes: BatchItem<'sqlite'>[] = []
  if (!edition) changes.push(db.insert(disclosureEditions).values({ id: editionId, year, createdAt: now }))
  changes.push(
    db.insert(disclosureVersions).values({
      id: randomUUID(),
      editionId,
      version,
      figures: JSON.stringify(figures),
      narrative: JSON.stringify(finalNarrative),
      figuresAt,
      preparedByUserId: opts.actor.id,
      preparedByLabel: opts.actor.label,
      createdAt: now,
    }),
  )
  try {
    await recordAudit(
      db,
      {
        actor: opts.actor,
        action: opts.refreshFigures === false ? 'disclosure.narrative_saved' : 'disclosure.prepared',
        objectType: 'disclosure',
        objectId: String(year),
        requestId: opts.requestId,
        detail: { year, version, figuresAt, capMaximumFen: figures.cap?.maximumFen ?? null },
      },
      changes,
    )
  } catch (error) {
    // Two preparations at once: the (edition, version) and year indexes let one through.
    if (String(error).includes('UNIQUE') || String((error as { cause?: unknown }).cause).includes('UNIQUE'))
      return fail('conflict', 'disclosure_busy', 'Another version was prepared at the same time; reload and retry')
    // Published between the read and the write (the trigger holds it final).
    if (String(error).includes('disclosure_immutable'))
      return fail('conflict', 'disclosure_published', `The ${year} disclosure is published and final`)
    throw error
  }
  return ok({ year, editionId, version, figures, narrative: finalNarrative })
}
