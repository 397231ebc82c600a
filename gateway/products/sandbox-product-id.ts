import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { products } from '#db/schema/index.ts'
import { TtlCache } from '../access/ttl-cache.ts'
import { DATA_SANDBOX_PRODUCT } from '#sandbox/sandbox-product.ts'

/** The data-sandbox product's id, read once a minute: its jobs and models meter and bill against it (ADR 0038, 0044). */
export function sandboxProductIdOf(db: Db): () => Promise<string> {
  const productIds = new TtlCache<string, string>(60_000)
  return () =>
    productIds.get(DATA_SANDBOX_PRODUCT, async () => {
      const [row] = await db.select({ id: products.id }).from(products).where(eq(products.code, DATA_SANDBOX_PRODUCT)).limit(1)
      if (!row) throw new Error(`product ${DATA_SANDBOX_PRODUCT} is not registered`)
      return row.id
    })
}
