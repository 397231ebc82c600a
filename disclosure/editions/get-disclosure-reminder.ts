import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { disclosureEditions } from '#db/schema/index.ts'
import { disclosureDeadline, dueDisclosureYear, reminderStart } from './disclosure-deadline.ts'

export interface DisclosureReminder {
  year: number
  deadline: number
  overdue: boolean
  /** Whether a draft exists (prepared but not published). */
  isPrepared: boolean
}

/**
 * The operator's dashboard reminder (ADR 0036): from 1 March (Asia/Shanghai) until last year's edition is published;
 * overdue after 31 March. Null when nothing is due.
 */
export async function getDisclosureReminder(db: Db, opts: { now: number }): Promise<DisclosureReminder | null> {
  const year = dueDisclosureYear(opts.now)
  if (opts.now < reminderStart(year)) return null
  const [edition] = await db
    .select({ state: disclosureEditions.state })
    .from(disclosureEditions)
    .where(eq(disclosureEditions.year, year))
  if (edition?.state === 'published') return null
  const deadline = disclosureDeadline(year)
  return { year, deadline, overdue: opts.now >= deadline, isPrepared: edition !== undefined }
}
