import { asc, eq, or } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { incidents } from '#db/schema/index.ts'

/** An incident by its code (SJ-…) or id; null when there is none. */
export async function findIncidentRow(db: Db, ref: string) {
  const key = typeof ref === 'string' ? ref.trim().slice(0, 100) : ''
  if (!key) return null
  const [row] = await db
    .select()
    .from(incidents)
    .where(or(eq(incidents.code, key), eq(incidents.id, key)))
    .orderBy(asc(incidents.code))
    .limit(1)
  return row ?? null
}
