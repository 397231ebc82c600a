import { desc } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { logRetentionPolicies } from '#db/schema/index.ts'
import { LEGAL_MINIMUM_MONTHS, LOG_KINDS, tablesOfKind, type LogKind } from './log-tables.ts'
import { keepFrom } from './retention-horizon.ts'

export interface RetentionPolicyView {
  kind: LogKind
  tables: string[]
  /** The policy in force, or null: the kind is never purged. */
  policy: { keepMonths: number; note: string; setByLabel: string; setAt: number } | null
  /** Rows anchored before this instant may be purged today under the policy (null: no policy). */
  purgeBefore: number | null
  /** Rows anchored before this instant are past the legal minimum today. */
  legalBefore: number
}

/** Each log kind with the bureau's policy in force and today's horizons (the bureau's retention page, the CLI). */
export async function listRetentionPolicies(db: Db, opts: { now?: number } = {}): Promise<RetentionPolicyView[]> {
  const now = opts.now ?? Date.now()
  const rows = await db
    .select()
    .from(logRetentionPolicies)
    .orderBy(desc(logRetentionPolicies.setAt), desc(logRetentionPolicies.id))
  return LOG_KINDS.map((kind) => {
    const latest = rows.find((r) => r.kind === kind)
    return {
      kind,
      tables: tablesOfKind(kind),
      policy: latest
        ? { keepMonths: latest.keepMonths, note: latest.note, setByLabel: latest.setByLabel, setAt: latest.setAt }
        : null,
      purgeBefore: latest ? keepFrom(now, Math.max(latest.keepMonths, LEGAL_MINIMUM_MONTHS)) : null,
      legalBefore: keepFrom(now, LEGAL_MINIMUM_MONTHS),
    }
  })
}

/** The months a purge of `kind` keeps, or null when the bureau set no policy for it. */
export async function keepMonthsOf(db: Db, kind: LogKind): Promise<number | null> {
  const views = await listRetentionPolicies(db)
  const policy = views.find((v) => v.kind === kind)?.policy
  return policy ? Math.max(policy.keepMonths, LEGAL_MINIMUM_MONTHS) : null
}
