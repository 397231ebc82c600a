import { randomUUID } from 'node:crypto'
import type { Db } from '#db/client.ts'
import { COST_CATEGORIES, COST_SUPPLIES, costEntries, type CostCategory, type CostSupply } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { parsePeriod } from '../periods/billing-period.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'

export interface CostEntryInput {
  /** YYYY-MM */
  period: string
  category: string
  grossFen: number
  subsidyFen: number
  /** Which supply the cost serves (ADR 0036); shared when not said. */
  supply?: string
  /** Platform construction only: the years it is amortized over (1–20). */
  amortizationYears?: number | null
  note?: string
}

/**
 * Art. 22: the operator records a period's cost in one category, net of government subsidies. Entries are versioned:
 * a later entry for the same period, category and supply supersedes the earlier one (a correction), nothing is edited.
 * Platform construction is entered once, with the years it is amortized over (ADR 0036).
 */
export async function recordCostEntry(
  db: Db,
  opts: { input: CostEntryInput; actor: Actor; requestId?: string | null; now?: number },
): Promise<Result<{ id: string; netFen: number }>> {
  const denied = refuseUnlessPermitted(opts.actor, 'cost_entry.record')
  if (denied) return denied
  const now = opts.now ?? Date.now()
  const { input } = opts
  const fields: Record<string, string> = {}
  const period = parsePeriod(input.period)
  if (!period) fields.period = 'invalid_period'
  else if (period.start > now) fields.period = 'future_period'
  if (!(COST_CATEGORIES as readonly string[]).includes(input.category)) fields.category = 'unknown_category'
  if (!Number.isSafeInteger(input.grossFen) || input.grossFen < 0) fields.grossFen = 'invalid_amount'
  if (!Number.isSafeInteger(input.subsidyFen) || input.subsidyFen < 0) fields.subsidyFen = 'invalid_amount'
  else if (Number.isSafeInteger(input.grossFen) && input.subsidyFen > input.grossFen) fields.subsidyFen = 'subsidy_exceeds_cost'
  const supply = input.supply ?? 'shared'
  if (!(COST_SUPPLIES as readonly string[]).includes(supply)) fields.supply = 'unknown_supply'
  const years = input.amortizationYears ?? null
  if (input.category === 'platform_construction') {
    if (years === null) fields.amortizationYears = 'required'
    else if (!Number.isSafeInteger(years) || years < 1 || years > 20) fields.amortizationYears = 'invalid_years'
  } else if (years !== null) fields.amortizationYears = 'not_amortized'
  const note = (input.note ?? '').trim()
  if (note.length > 200) fields.note = 'too_long'
  if (Object.keys(fields).length > 0) return fail('validation', 'validation_failed', 'The cost entry is not valid', fields)

  const id = randomUUID()
  const netFen = input.grossFen - input.subsidyFen
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'cost_entry.record',
      objectType: 'cost_entry',
      objectId: id,
      requestId: opts.requestId,
      detail: {
        period: input.period,
        category: input.category,
        supply,
        amortizationYears: years,
        grossFen: input.grossFen,
        subsidyFen: input.subsidyFen,
        netFen,
      },
    },
    [
      db.insert(costEntries).values({
        id,
        period: input.period,
        category: input.category as CostCategory,
        supply: supply as CostSupply,
        amortizationYears: years,
        grossFen: input.grossFen,
        subsidyFen: input.subsidyFen,
        netFen,
        note,
        recordedByUserId: opts.actor.id,
        createdAt: now,
      }),
    ],
  )
  return ok({ id, netFen })
}
