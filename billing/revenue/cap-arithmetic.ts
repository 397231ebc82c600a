import type { CostCategory, CostSupply } from '#db/schema/index.ts'
import { Decimal, roundFen } from '../money/decimal.ts'

/** One cost entry as the cap reads it: the latest of its period, category and supply. */
export interface CapCostEntry {
  /** YYYY-MM */
  period: string
  category: CostCategory
  supply: CostSupply
  netFen: number
  amortizationYears: number | null
}

/** Warning levels of the cap's use (ADR 0036): 80% and 100% of the maximum. */
export const CAP_THRESHOLDS = [80, 100] as const
export type CapThreshold = (typeof CAP_THRESHOLDS)[number]

/**
 * The net cost of `entry` that falls in `year`: the whole amount in its month, or for platform construction its
 * months of an even spread over 12 × years months from its period (integer fen; the remainder to the first months,
 * so the months add up to the entry exactly).
 */
export function costInYear(entry: CapCostEntry, year: number): number {
  const [y, m] = entry.period.split('-').map(Number) as [number, number]
  if (entry.category !== 'platform_construction' || !entry.amortizationYears) return y === year ? entry.netFen : 0
  const months = entry.amortizationYears * 12
  const base = Math.trunc(entry.netFen / months)
  const rest = entry.netFen - base * months
  const firstIndex = y * 12 + (m - 1)
  let sum = 0
  for (let k = Math.max(0, year * 12 - firstIndex); k < Math.min(months, year * 12 + 12 - firstIndex); k++)
    sum += base + (k < rest ? 1 : 0)
  return sum
}

export interface CapCosts {
  /** Counted whole. */
  industrialFen: number
  /** Allocated by calls. */
  sharedFen: number
  /** Never counted (shown). */
  publicInterestFen: number
  /** Per category, all supplies, after amortization. */
  byCategory: Partial<Record<CostCategory, number>>
  /** The amortized platform construction within the year's costs (all supplies). */
  amortizedFen: number
}

export function costsOfYear(entries: CapCostEntry[], year: number): CapCosts {
  const out: CapCosts = { industrialFen: 0, sharedFen: 0, publicInterestFen: 0, byCategory: {}, amortizedFen: 0 }
  for (const e of entries) {
    const fen = costInYear(e, year)
    if (fen === 0) continue
    if (e.supply === 'industrial') out.industrialFen += fen
    else if (e.supply === 'shared') out.sharedFen += fen
    else out.publicInterestFen += fen
    out.byCategory[e.category] = (out.byCategory[e.category] ?? 0) + fen
    if (e.category === 'platform_construction') out.amortizedFen += fen
  }
  return out
}

/** The industrial share of a year's calls, 6 places; "0" when nothing was called. */
export function industrialShare(industrialCalls: number, allCalls: number): string {
  if (allCalls <= 0 || industrialCalls <= 0) return '0'
  return new Decimal(industrialCalls).div(allCalls).toDecimalPlaces(6).toFixed()
}

export interface CapYearInput {
  costs: CapCosts
  industrialCalls: number
  publicInterestCalls: number
  profitRate: string | null
  taxRate: string | null
  paidRevenueFen: number
  /** What the previous year carries in (its excess). */
  carriedInFen: number
}

export interface CapYearFigures {
  industrialShare: string
  allocatedSharedFen: number
  /** Industrial entries + the industrial share of shared entries. */
  operatingCostFen: number
  allowedProfitFen: number
  taxesFen: number
  grossMaximumFen: number
  deductionFen: number
  maximumFen: number
  excessFen: number
  usedShare: string | null
  /** The highest threshold reached, or null. */
  reached: CapThreshold | null
}

/**
 * ADR 0036: cost = industrial + round(shared × industrial call share); profit = round(cost × rate); taxes =
 * round((cost + profit) × tax rate); maximum = gross − what the previous year carried in (not below 0). The excess
 * carried on = paid above the maximum + any carried-in amount the gross could not absorb.
 */
export function computeCapYear(input: CapYearInput): CapYearFigures {
  const share = industrialShare(input.industrialCalls, input.industrialCalls + input.publicInterestCalls)
  const allocated = roundFen(new Decimal(input.costs.sharedFen).times(share))
  const cost = input.costs.industrialFen + allocated
  const profit = roundFen(new Decimal(cost).times(input.profitRate ?? '0'))
  const taxes = roundFen(new Decimal(cost + profit).times(input.taxRate ?? '0'))
  const gross = cost + profit + taxes
  const maximum = Math.max(0, gross - input.carriedInFen)
  const unabsorbed = Math.max(0, input.carriedInFen - gross)
  const paid = input.paidRevenueFen
  const excess = Math.max(0, paid - maximum) + unabsorbed
  const used = maximum > 0 ? new Decimal(paid).div(maximum) : null
  const reached: CapThreshold | null =
    used === null ? (paid > 0 ? 100 : null) : used.greaterThanOrEqualTo(1) ? 100 : used.greaterThanOrEqualTo(0.8) ? 80 : null
  return {
    industrialShare: share,
    allocatedSharedFen: allocated,
    operatingCostFen: cost,
    allowedProfitFen: profit,
    taxesFen: taxes,
    grossMaximumFen: gross,
    deductionFen: input.carriedInFen,
    maximumFen: maximum,
    excessFen: excess,
    usedShare: used ? used.toDecimalPlaces(4).toFixed() : null,
    reached,
  }
}
