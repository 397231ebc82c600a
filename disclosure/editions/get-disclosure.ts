import { asc, desc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { disclosureEditions, disclosureVersions } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import type { DisclosureFigures } from '../figures/collect-disclosure-figures.ts'
import { disclosureDeadline } from './disclosure-deadline.ts'
import { parseStoredNarrative, type DisclosureNarrative } from './disclosure-narrative.ts'

export interface DisclosureVersionView {
  version: number
  figures: DisclosureFigures
  narrative: DisclosureNarrative
  figuresAt: number
  preparedBy: string
  createdAt: number
}

export interface DisclosureView {
  year: number
  state: 'draft' | 'published'
  deadline: number
  publishedAt: number | null
  late: boolean
  /** The published version (public), or the latest (staff). */
  current: DisclosureVersionView
  /** Staff only: every version, newest first (number, when, by whom). */
  versions: { version: number; createdAt: number; preparedBy: string; figuresAt: number }[]
}

const toView = (v: typeof disclosureVersions.$inferSelect): DisclosureVersionView => ({
  version: v.version,
  figures: JSON.parse(v.figures) as DisclosureFigures,
  narrative: parseStoredNarrative(v.narrative),
  figuresAt: v.figuresAt,
  preparedBy: v.preparedByLabel,
  createdAt: v.createdAt,
})

/**
 * A year's disclosure. Without an actor (a visitor) only a published edition exists, as published; an unpublished
 * year answers not_found. The operator and the bureau see the draft too (its latest version) and every version.
 */
export async function getDisclosure(db: Db, opts: { year: number; actor?: Actor | null }): Promise<Result<DisclosureView>> {
  const isStaff = opts.actor?.role === 'operator' || opts.actor?.role === 'bureau'
  if (!Number.isSafeInteger(opts.year)) return fail('not_found', 'disclosure_not_found', 'No such disclosure')
  const [edition] = await db.select().from(disclosureEditions).where(eq(disclosureEditions.year, opts.year))
  if (!edition || (!isStaff && edition.state !== 'published'))
    return fail('not_found', 'disclosure_not_found', `No ${opts.year} disclosure is published`)
  const versions = await db
    .select()
    .from(disclosureVersions)
    .where(eq(disclosureVersions.editionId, edition.id))
    .orderBy(desc(disclosureVersions.version))
  const shown =
    edition.state === 'published' && !isStaff
      ? versions.find((v) => v.id === edition.publishedVersionId)
      : edition.state === 'published'
        ? versions.find((v) => v.id === edition.publishedVersionId)
        : versions[0]
  if (!shown) return fail('not_found', 'disclosure_not_found', `No ${opts.year} disclosure is prepared`)
  const deadline = disclosureDeadline(opts.year)
  return ok({
    year: edition.year,
    state: edition.state,
    deadline,
    publishedAt: edition.publishedAt,
    late: edition.publishedAt !== null && edition.publishedAt >= deadline,
    current: toView(shown),
    versions: isStaff
      ? versions.map((v) => ({
          version: v.version,
          createdAt: v.createdAt,
          preparedBy: v.preparedByLabel,
          figuresAt: v.figuresAt,
        }))
      : [],
  })
}

/** The archive: every published year, newest first. */
export async function listPublishedDisclosures(db: Db): Promise<{ year: number; publishedAt: number; late: boolean }[]> {
  const rows = await db
    .select({ year: disclosureEditions.year, publishedAt: disclosureEditions.publishedAt })
    .from(disclosureEditions)
    .where(eq(disclosureEditions.state, 'published'))
    .orderBy(desc(disclosureEditions.year))
  return rows.map((r) => ({ year: r.year, publishedAt: r.publishedAt!, late: r.publishedAt! >= disclosureDeadline(r.year) }))
}

/** The operator's and bureau's list: every edition with its state and latest version. */
export async function listDisclosureEditions(
  db: Db,
): Promise<{ year: number; state: 'draft' | 'published'; versions: number; publishedAt: number | null }[]> {
  const editions = await db.select().from(disclosureEditions).orderBy(desc(disclosureEditions.year))
  const versions = await db
    .select({ editionId: disclosureVersions.editionId, version: disclosureVersions.version })
    .from(disclosureVersions)
    .orderBy(asc(disclosureVersions.version))
  return editions.map((e) => ({
    year: e.year,
    state: e.state,
    versions: versions.filter((v) => v.editionId === e.id).length,
    publishedAt: e.publishedAt,
  }))
}
