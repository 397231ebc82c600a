import { asc } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { products } from '#db/schema/index.ts'

/** Every product in any state (operator and CLI view). */
export async function listProducts(db: Db) {
  return db
    .select({ code: products.code, nameZh: products.nameZh, form: products.form, level: products.level, state: products.state, registrationCode: products.registrationCode })
    .from(products)
    .orderBy(asc(products.code))
}
