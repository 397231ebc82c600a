import { asc, count, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { partners, subscriptions } from '#db/schema/index.ts'

export async function listPartners(db: Db) {
  return db
    .select({
      id: partners.id,
      code: partners.code,
      name: partners.name,
      kind: partners.kind,
      uscc: partners.uscc,
      state: partners.state,
      subscriptions: count(subscriptions.id),
    })
    .from(partners)
    .leftJoin(subscriptions, eq(subscriptions.partnerId, partners.id))
    .groupBy(partners.id)
    .orderBy(asc(partners.code))
}
