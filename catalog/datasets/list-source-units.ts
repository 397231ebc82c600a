import { asc } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { sourceUnits } from '#db/schema/index.ts'

/** The city's source units (数源单位), for registration and demand forms. */
export async function listSourceUnits(db: Db) {
  return db
    .select({ id: sourceUnits.id, code: sourceUnits.code, nameZh: sourceUnits.nameZh, nameEn: sourceUnits.nameEn })
    .from(sourceUnits)
    .orderBy(asc(sourceUnits.code))
}
