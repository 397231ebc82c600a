import { asc } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { plans } from '#db/schema/index.ts'

/** The plans a subscription can be on: rate limit, monthly quota, distinct subjects per day. */
export async function listPlans(db: Db) {
  return db.select().from(plans).orderBy(asc(plans.rateLimitPerMinute))
}
