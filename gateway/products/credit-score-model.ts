// The enterprise credit score model (企业信用评分模型), computed inside the platform. Pure and deterministic: the
// same inputs on the same day give the same score. The weights are public (api-specs/openapi.yaml); the inputs are
// never returned.
//
//   factor               weight  sub-score in [0, 1]
//   registry_status      0.25    active 1, abnormal (经营异常) 0.3, revoked or cancelled 0
//   tax_credit           0.25    mean over the rated years of A 1, B 0.8, M 0.55, C 0.25, D 0; never rated 0.4
//   registry_age         0.20    years since founding / 15, at most 1
//   registered_capital   0.15    log10(1 + capital in 万元) / log10(1 + 10,000), at most 1
//   social_security      0.15    half for continuity (months with contributions / months in the window),
//                                half for headcount (log10(1 + persons in the latest month) / log10(1 + 50), at most 1)
//
//   score = round(1000 × Σ weight × sub-score); bands: excellent ≥ 800, good ≥ 650, fair ≥ 500, weak ≥ 350, poor.
//   The main factors are the three whose sub-score lies farthest from 0.5, weighted (ties: larger weight first);
//   a factor is positive when its sub-score is at least 0.5.

export const CREDIT_SCORE_MODEL_VERSION = 'ecs-2026.1'

export const CREDIT_SCORE_WEIGHTS = {
  registry_status: 0.25,
  tax_credit: 0.25,
  registry_age: 0.2,
  registered_capital: 0.15,
  social_security: 0.15,
} as const

export type CreditFactor = keyof typeof CREDIT_SCORE_WEIGHTS
export type CreditBand = 'excellent' | 'good' | 'fair' | 'weak' | 'poor'
export type EnterpriseStatus = 'active' | 'revoked' | 'cancelled' | 'abnormal'
export type TaxRating = 'A' | 'B' | 'M' | 'C' | 'D'

export interface CreditScoreInputs {
  status: EnterpriseStatus
  /** YYYY-MM-DD. */
  foundedOn: string
  registeredCapitalWan: number
  taxRatings: readonly TaxRating[]
  socialSecurity: {
    /** Months in the contribution window (the latest months with any data). */
    monthsInWindow: number
    /** Of those, months in which the enterprise paid for at least one person. */
    monthsWithContributions: number
    /** Persons it paid for in the latest month of the window. */
    latestHeadcount: number
  }
  /** The day the score is computed for (epoch ms). */
  asOf: number
}

export interface ScoredFactor {
  code: CreditFactor
  weight: number
  subScore: number
  impact: 'positive' | 'negative'
}

export interface CreditScore {
  score: number
  band: CreditBand
  /** The three main factors, strongest first. */
  mainFactors: ScoredFactor[]
  factors: ScoredFactor[]
}

const STATUS_SCORE: Record<EnterpriseStatus, number> = { active: 1, abnormal: 0.3, revoked: 0, cancelled: 0 }
const RATING_SCORE: Record<TaxRating, number> = { A: 1, B: 0.8, M: 0.55, C: 0.25, D: 0 }
const UNRATED_SCORE = 0.4
const FULL_AGE_YEARS = 15
const FULL_CAPITAL_WAN = 10_000
const FULL_HEADCOUNT = 50

const clamp01 = (x: number) => Math.min(1, Math.max(0, Number.isFinite(x) ? x : 0))

export function creditBand(score: number): CreditBand {
  return score >= 800 ? 'excellent' : score >= 650 ? 'good' : score >= 500 ? 'fair' : score >= 350 ? 'weak' : 'poor'
}

/** Whole years from `foundedOn` to `asOf` (UTC calendar; a negative age counts as 0). */
export function yearsSince(foundedOn: string, asOf: number): number {
  const [y, m, d] = foundedOn.split('-').map(Number) as [number, number, number]
  const now = new Date(asOf)
  let years = now.getUTCFullYear() - y
  if (now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d)) years--
  return Math.max(0, years)
}

export function scoreCredit(inputs: CreditScoreInputs): CreditScore {
  const ss = inputs.socialSecurity
  const sub: Record<CreditFactor, number> = {
    registry_status: STATUS_SCORE[inputs.status],
    tax_credit:
      inputs.taxRatings.length === 0
        ? UNRATED_SCORE
        : inputs.taxRatings.reduce((s, r) => s + RATING_SCORE[r], 0) / inputs.taxRatings.length,
    registry_age: clamp01(yearsSince(inputs.foundedOn, inputs.asOf) / FULL_AGE_YEARS),
    registered_capital: clamp01(Math.log10(1 + Math.max(0, inputs.registeredCapitalWan)) / Math.log10(1 + FULL_CAPITAL_WAN)),
    social_security:
      ss.monthsInWindow === 0
        ? 0
        : 0.5 * clamp01(ss.monthsWithContributions / ss.monthsInWindow) +
          0.5 * clamp01(Math.log10(1 + Math.max(0, ss.latestHeadcount)) / Math.log10(1 + FULL_HEADCOUNT)),
  }
  const factors: ScoredFactor[] = (Object.keys(CREDIT_SCORE_WEIGHTS) as CreditFactor[]).map((code) => ({
    code,
    weight: CREDIT_SCORE_WEIGHTS[code],
    subScore: sub[code],
    impact: sub[code] >= 0.5 ? 'positive' : 'negative',
  }))
  const score = Math.round(1000 * factors.reduce((s, f) => s + f.weight * f.subScore, 0))
  const effect = (f: ScoredFactor) => Math.abs(f.subScore - 0.5) * f.weight
  const mainFactors = [...factors].sort((a, b) => effect(b) - effect(a) || b.weight - a.weight).slice(0, 3)
  return { score: Math.min(1000, Math.max(0, score)), band: creditBand(score), mainFactors, factors }
}
