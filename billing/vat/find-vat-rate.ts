import { desc, lte, sql } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { vatRates } from '#db/schema/index.ts'
import { Decimal } from '../money/decimal.ts'

/** 6%: VAT on modern services (现代服务) for a general taxpayer, used until a rate is configured. */
export const DEFAULT_VAT_RATE = '0.06'

/** The VAT rate in force at an instant (a period uses the rate in force at its start). */
export async function findVatRate(db: Db, opts: { at: number }): Promise<Decimal> {
  const [row] = await db
    .select({ rate: vatRates.rate })
    .from(vatRates)
    .where(lte(vatRates.effectiveFrom, opts.at))
    .orderBy(desc(vatRates.effectiveFrom), desc(sql`vat_rates.rowid`))
    .limit(1)
  return new Decimal(row?.rate ?? DEFAULT_VAT_RATE)
}
