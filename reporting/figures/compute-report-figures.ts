import { sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { formatDay, formatIso } from '#platform/calendar/shanghai-calendar.ts'
import type { ReportPeriod } from '../periods/report-period.ts'
import type { ReportFigures } from './figure-types.ts'
import { findSandboxJobCounts, findProductCompositions, fusionSection } from './fusion-figures.ts'
import { findRefusalGroups, interactionSection, type Names } from './interaction-figures.ts'
import { findCompensationGroups, findInvoiceGroups, findPartnerMovements, marketSection } from './market-figures.ts'
import { findExportCounts, findReleaseGroups, processingSection } from './processing-figures.ts'
import { computeStorageSection } from './storage-figures.ts'
import { findUsageGroups } from './usage-groups.ts'

/**
 * Every figure of an operation report for a period (Art. 25), computed from the platform's own records as they are at
 * `now`. A read: the operations that store it (generate-operation-report.ts) and print it (reports:generate) guard it.
 */
export async function computeReportFigures(db: Db, opts: { period: ReportPeriod; now?: number }): Promise<ReportFigures> {
  const p = opts.period
  const now = opts.now ?? Date.now()
  const usage = await findUsageGroups(db, p)
  const named = (rows: { id: string; code: string; name: string }[]): Names =>
    new Map(rows.map((r) => [r.id, { code: r.code, name: r.name }]))
  const products = named(await db.all(sql`SELECT id, code, name_zh AS name FROM products`))
  const partners = named(await db.all(sql`SELECT id, code, name FROM partners`))
  const units = new Map(
    (await db.all<{ code: string; name: string }>(sql`SELECT code, name_zh AS name FROM source_units`)).map((u) => [
      u.code,
      u.name,
    ]),
  )
  return {
    format: 1,
    period: p.period,
    kind: p.kind,
    from: formatDay(p.start),
    to: formatDay(p.end - 1),
    generatedAt: formatIso(now),
    sections: [
      await computeStorageSection(db, p, now),
      interactionSection(usage, await findRefusalGroups(db, p), p, { products, partners, units }),
      processingSection(usage, await findExportCounts(db, p), await findReleaseGroups(db, p), products),
      fusionSection(await findProductCompositions(db, p), usage, await findSandboxJobCounts(db, p)),
      marketSection(
        await findInvoiceGroups(db, p),
        usage,
        await findCompensationGroups(db, p),
        await findPartnerMovements(db, p),
        p,
      ),
    ],
  }
}
