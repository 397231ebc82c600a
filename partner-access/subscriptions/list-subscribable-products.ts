import { and, asc, eq, isNull } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { products } from '#db/schema/index.ts'

/** Products a partner can subscribe to now: published and not suspended by the bureau. */
export async function listSubscribableProducts(db: Db) {
  return db
    .select({ code: products.code, nameZh: products.nameZh, nameEn: products.nameEn, form: products.form, level: products.level })
    .from(products)
    .where(and(eq(products.state, 'published'), isNull(products.suspendedAt)))
    .orderBy(asc(products.code))
}
