import { and, count, eq, gte, lt } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { usageEvents } from '#db/schema/index.ts'
import { startOfDay, startOfMonth, startOfNextDay } from '#platform/calendar/shanghai-calendar.ts'

/** A partner's answered calls today and this month on the city's calendar (what the quotas count). */
export async function countPartnerCalls(
  db: Db,
  opts: { partnerId: string; now: number },
): Promise<{ today: number; thisMonth: number }> {
  const end = startOfNextDay(opts.now)
  const countSince = async (since: number) => {
    const [row] = await db
      .select({ n: count() })
      .from(usageEvents)
      .where(and(eq(usageEvents.partnerId, opts.partnerId), gte(usageEvents.at, since), lt(usageEvents.at, end)))
    return row?.n ?? 0
  }
  const [today, thisMonth] = await Promise.all([countSince(startOfDay(opts.now)), countSince(startOfMonth(opts.now))])
  return { today, thisMonth }
}
