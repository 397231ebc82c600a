import { desc, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { concentrationSettings } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { DEFAULT_HHI_THRESHOLD } from './herfindahl-index.ts'

/** The threshold in force: the bureau's latest setting, or the documented default (2,500). */
export async function findConcentrationThreshold(
  db: Db,
): Promise<{ threshold: number; setAt: number | null; setBy: string | null }> {
  const [row] = await db
    .select()
    .from(concentrationSettings)
    .orderBy(desc(concentrationSettings.setAt), desc(sql`rowid`))
    .limit(1)
  return row
    ? { threshold: row.hhiThreshold, setAt: row.setAt, setBy: row.setByLabel }
    : { threshold: DEFAULT_HHI_THRESHOLD, setAt: null, setBy: null }
}

/** The bureau sets the HHI above which a market is flagged (Art. 12(5)): a whole number 1–10,000, audited. */
export async function setConcentrationThreshold(
  db: Db,
  opts: { threshold: unknown; actor: Actor; now?: number; requestId?: string | null },
): Promise<Result<{ threshold: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'concentration_threshold.set')
  if (denied) return denied
  const threshold = typeof opts.threshold === 'string' ? Number(opts.threshold.trim()) : opts.threshold
  if (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold < 1 || threshold > 10_000)
    return fail('validation', 'validation_failed', 'The threshold is a whole number from 1 to 10,000', { threshold: 'invalid' })
  const now = opts.now ?? Date.now()
  const before = await findConcentrationThreshold(db)
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'concentration_threshold.set',
      objectType: 'concentration_setting',
      requestId: opts.requestId,
      detail: { from: before.threshold, to: threshold },
    },
    [
      db
        .insert(concentrationSettings)
        .values({ hhiThreshold: threshold, setAt: now, setByUserId: opts.actor.id, setByLabel: opts.actor.label }),
    ],
  )
  return ok({ threshold })
}
