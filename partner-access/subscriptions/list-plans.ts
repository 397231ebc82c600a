import { asc, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { plans } from '#db/schema/index.ts'

/**
 * The plans a subscription can be put on: the latest version of each (ADR 0032), with its rate limit, monthly quota,
 * distinct subjects per day and whether a change to it may take effect at once.
 */
export async function listPlans(db: Db) {
  return db
    .select()
    .from(plans)
    .where(sql`${plans.version} = (select max(p2.version) from plans p2 where p2.code = ${plans.code})`)
    .orderBy(asc(plans.rateLimitPerMinute))
}
