import type { Db } from '#db/client.ts'
import { DAY_MS } from '#platform/calendar/shanghai-calendar.ts'
import { listPriceCeilings } from './list-price-ceilings.ts'
import { REEVALUATION_NOTICE_DAYS } from './remind-ceiling-reevaluations.ts'

/** The ceilings in force whose re-evaluation is due within the notice window or past (for the bureau's banner). */
export async function countCeilingsDueForReevaluation(db: Db, opts: { now: number }): Promise<number> {
  const rows = await listPriceCeilings(db, { at: opts.now })
  const horizon = opts.now + REEVALUATION_NOTICE_DAYS * DAY_MS
  return rows.filter((c) => c.status === 'in_force' && c.reevaluateBy !== null && c.reevaluateBy <= horizon).length
}
