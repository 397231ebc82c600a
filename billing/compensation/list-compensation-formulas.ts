import { desc } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { compensationFormulas, users } from '#db/schema/index.ts'
import { eq } from 'drizzle-orm'

export interface CompensationFormulaView {
  id: string
  sharePerCall: string
  frequencyWeights: Record<string, string>
  qualityWeight: string
  effectiveFrom: number
  note: string
  setBy: string | null
  createdAt: number
}

/** Every version of the compensation formula, newest first. */
export async function listCompensationFormulas(db: Db): Promise<CompensationFormulaView[]> {
  const rows = await db
    .select({
      id: compensationFormulas.id,
      sharePerCall: compensationFormulas.sharePerCall,
      frequencyWeights: compensationFormulas.frequencyWeights,
      qualityWeight: compensationFormulas.qualityWeight,
      effectiveFrom: compensationFormulas.effectiveFrom,
      note: compensationFormulas.note,
      setBy: users.username,
      createdAt: compensationFormulas.createdAt,
    })
    .from(compensationFormulas)
    .leftJoin(users, eq(users.id, compensationFormulas.setByUserId))
    .orderBy(desc(compensationFormulas.effectiveFrom), desc(compensationFormulas.createdAt))
  return rows.map((r) => ({ ...r, frequencyWeights: JSON.parse(r.frequencyWeights) as Record<string, string> }))
}

/** The version in force at `at`: the latest effective_from ≤ at (a later-created one wins a tie). */
export function formulaAt<T extends { effectiveFrom: number; createdAt: number }>(formulas: T[], at: number): T | null {
  let best: T | null = null
  for (const f of formulas) {
    if (f.effectiveFrom > at) continue
    if (!best || f.effectiveFrom > best.effectiveFrom || (f.effectiveFrom === best.effectiveFrom && f.createdAt > best.createdAt))
      best = f
  }
  return best
}
