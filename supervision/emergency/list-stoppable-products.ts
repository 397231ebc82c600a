import { asc, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { products } from '#db/schema/index.ts'

/** The metered products an emergency stop can name (the published ones), for the stop form's choices. */
export async function listPublishedProductCodes(db: Db) {
  return db
    .select({ code: products.code, nameZh: products.nameZh, nameEn: products.nameEn })
    .from(products)
    .where(eq(products.state, 'published'))
    .orderBy(asc(products.code))
}
