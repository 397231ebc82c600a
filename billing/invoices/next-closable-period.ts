import type { Db } from '#db/client.ts'
import { nextPeriod, parsePeriod, periodOf, previousPeriod } from '../periods/billing-period.ts'
import { findLastClose } from './close-billing-period.ts'

/** The period to close next: the month after the last closed one, or last month before the first close. */
export async function nextClosablePeriod(db: Db, opts: { now?: number } = {}): Promise<{ period: string; ended: boolean }> {
  const now = opts.now ?? Date.now()
  const last = await findLastClose(db)
  const next = last ? nextPeriod(parsePeriod(last.period)!) : previousPeriod(periodOf(now))
  return { period: next.period, ended: next.end <= now }
}
