import { desc } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { emergencyPlans } from '#db/schema/index.ts'

/** Every plan at its latest version, with its history (every version, newest first). */
export async function listEmergencyPlans(db: Db) {
  const rows = await db.select().from(emergencyPlans).orderBy(emergencyPlans.code, desc(emergencyPlans.version))
  const plans = new Map<string, { latest: (typeof rows)[number]; history: (typeof rows)[number][] }>()
  for (const row of rows) {
    const plan = plans.get(row.code)
    if (plan) plan.history.push(row)
    else plans.set(row.code, { latest: row, history: [row] })
  }
  return [...plans.values()]
}
