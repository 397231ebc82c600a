import { asc, desc, eq, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { incidentEntries, incidents } from '#db/schema/index.ts'
import type { IncidentAffected } from './incident-affected.ts'
import { findIncidentRow } from './find-incident.ts'

const affectedOf = (text: string): IncidentAffected => {
  const parsed = JSON.parse(text) as Partial<IncidentAffected>
  return {
    products: parsed.products ?? [],
    datasets: parsed.datasets ?? [],
    partners: parsed.partners ?? [],
    platform: parsed.platform === true,
  }
}

/** The incident register: open ones first, newest first within each. */
export async function listIncidents(db: Db, opts: { state?: 'open' | 'closed' } = {}) {
  const rows = await db
    .select()
    .from(incidents)
    .where(opts.state ? eq(incidents.state, opts.state) : undefined)
    .orderBy(desc(incidents.state), desc(incidents.openedAt))
    .limit(500)
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    title: r.title,
    severity: r.severity,
    state: r.state,
    affected: affectedOf(r.affected),
    openedAt: r.openedAt,
    openedByLabel: r.openedByLabel,
    closedAt: r.closedAt,
  }))
}

/** One incident with its whole timeline (oldest first); null when there is none. */
export async function getIncident(db: Db, opts: { incident: string }) {
  const row = await findIncidentRow(db, opts.incident)
  if (!row) return null
  const entries = await db
    .select({
      id: incidentEntries.id,
      kind: incidentEntries.kind,
      at: incidentEntries.at,
      text: incidentEntries.text,
      actorLabel: incidentEntries.actorLabel,
      actorRole: incidentEntries.actorRole,
    })
    .from(incidentEntries)
    .where(eq(incidentEntries.incidentId, row.id))
    .orderBy(asc(incidentEntries.recordedAt), sql`rowid`)
  return {
    id: row.id,
    code: row.code,
    title: row.title,
    severity: row.severity,
    state: row.state,
    affected: affectedOf(row.affected),
    openedAt: row.openedAt,
    openedByLabel: row.openedByLabel,
    closedAt: row.closedAt,
    closedByLabel: row.closedByLabel,
    closureSummary: row.closureSummary,
    entries,
  }
}
