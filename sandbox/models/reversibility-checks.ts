import type { SandboxModelKind } from '#db/schema/sandbox-models.ts'
import { rocAuc } from './evaluate-model.ts'
import { seededUniform } from './training-set.ts'

// The Art. 13 checks a model passes before any reviewer sees it (ADR 0044). Each is a measure with a threshold; all
// are computed at training (the rows are at hand then and never again) and kept with the model.

/** A logistic regression needs at least this many training rows per parameter. */
export const MIN_ROWS_PER_PARAMETER = 50
/** The membership-inference attack's AUC may not exceed this (0.5 is chance). */
export const MAX_MEMBERSHIP_AUC = 0.6
/** Members and non-members the attack compares, at most, each. */
export const MEMBERSHIP_SAMPLE = 2_000

export type CheckCode = 'min_leaf_size' | 'parameters_per_row' | 'identifier_like_feature' | 'membership_inference'

export interface ReversibilityCheck {
  code: CheckCode
  passed: boolean
  /** The measure and the threshold it was held to. */
  measure: Record<string, number | string | string[]>
}

/**
 * The confidence attack (Yeom et al. 2018; ADR 0044): the attacker scores a record by the probability the model gives
 * its true label, and guesses "member" above a threshold. Its best-case power over all thresholds is the AUC of that
 * score separating a seeded sample of training rows (members) from as many held-out rows (non-members).
 */
export function membershipInferenceAuc(opts: {
  seed: number
  train: { p: readonly number[]; y: readonly number[]; subjects: readonly string[] }
  test: { p: readonly number[]; y: readonly number[]; subjects: readonly string[] }
}): { auc: number; members: number; nonMembers: number } {
  const size = Math.min(MEMBERSHIP_SAMPLE, opts.train.p.length, opts.test.p.length)
  const pick = (side: typeof opts.train, purpose: string) =>
    side.p
      .map((p, i) => ({ score: side.y[i] === 1 ? p : 1 - p, u: seededUniform(opts.seed, purpose, `${side.subjects[i]}|${i}`) }))
      .sort((a, b) => a.u - b.u)
      .slice(0, size)
      .map((r) => r.score)
  const members = pick(opts.train, 'members')
  const nonMembers = pick(opts.test, 'non-members')
  const auc = rocAuc([...members, ...nonMembers], [...members.map(() => 1), ...nonMembers.map(() => 0)])
  return { auc: Math.round(auc * 10_000) / 10_000, members: members.length, nonMembers: nonMembers.length }
}

export function runReversibilityChecks(opts: {
  kind: SandboxModelKind
  k: number
  trainRows: number
  parameters: number
  smallestLeaf?: { rows: number; subjects: number }
  identifierLike: string[]
  membership: { auc: number; members: number; nonMembers: number }
}): ReversibilityCheck[] {
  const checks: ReversibilityCheck[] = []
  if (opts.kind === 'decision_tree') {
    const leaf = opts.smallestLeaf ?? { rows: 0, subjects: 0 }
    checks.push({
      code: 'min_leaf_size',
      passed: leaf.rows >= opts.k && leaf.subjects >= opts.k,
      measure: { smallestLeafRows: leaf.rows, smallestLeafSubjects: leaf.subjects, k: opts.k },
    })
  } else {
    const perParameter = opts.trainRows / opts.parameters
    checks.push({
      code: 'parameters_per_row',
      passed: perParameter >= MIN_ROWS_PER_PARAMETER,
      measure: { parameters: opts.parameters, trainRows: opts.trainRows, minRowsPerParameter: MIN_ROWS_PER_PARAMETER },
    })
  }
  checks.push({
    code: 'identifier_like_feature',
    passed: opts.identifierLike.length === 0,
    measure: { features: opts.identifierLike },
  })
  checks.push({
    code: 'membership_inference',
    passed: opts.membership.auc <= MAX_MEMBERSHIP_AUC,
    measure: { ...opts.membership, maxAuc: MAX_MEMBERSHIP_AUC },
  })
  return checks
}
