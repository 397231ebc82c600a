import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { demandLists } from '#db/schema/index.ts'

/** One demand list by code, or null. */
export async function findDemandList(db: Db, opts: { code: string }) {
  const [list] = await db.select().from(demandLists).where(eq(demandLists.code, opts.code))
  return list ?? null
}
