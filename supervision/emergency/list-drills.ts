import { desc } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { drills } from '#db/schema/index.ts'

/** The drills held, newest first. */
export async function listDrills(db: Db) {
  return db.select().from(drills).orderBy(desc(drills.heldAt)).limit(200)
}
