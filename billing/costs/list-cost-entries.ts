import { desc, eq, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { costEntries, users } from '#db/schema/index.ts'

export interface CostEntryRow {
  id: string
  period: string
  category: string
  supply: string
  amortizationYears: number | null
  grossFen: number
  subsidyFen: number
  netFen: number
  note: string
  recordedBy: string | null
  createdAt: number
  /** The latest entry of its period, category and supply: the one that counts. */
  current: boolean
}

/** Every cost entry, newest period first; superseded corrections stay listed with current = false. */
export async function listCostEntries(db: Db, opts: { limit?: number } = {}): Promise<CostEntryRow[]> {
  const rows = await db
    .select({
      id: costEntries.id,
      period: costEntries.period,
      category: costEntries.category,
      supply: costEntries.supply,
      amortizationYears: costEntries.amortizationYears,
      grossFen: costEntries.grossFen,
      subsidyFen: costEntries.subsidyFen,
      netFen: costEntries.netFen,
      note: costEntries.note,
      recordedBy: users.username,
      createdAt: costEntries.createdAt,
    })
    .from(costEntries)
    .leftJoin(users, eq(users.id, costEntries.recordedByUserId))
    .orderBy(desc(costEntries.period), costEntries.category, desc(sql`cost_entries.rowid`))
    .limit(opts.limit ?? 500)
  const seen = new Set<string>()
  return rows.map((r) => {
    const key = `${r.period}|${r.category}|${r.supply}`
    const current = !seen.has(key)
    seen.add(key)
    return { ...r, current }
  })
}
