import { describe, expect, it } from 'vitest'
import { evaluateModel, rocAuc } from './evaluate-model.ts'
import { MAX_MEMBERSHIP_AUC, membershipInferenceAuc, runReversibilityChecks } from './reversibility-checks.ts'

const subjects = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`)

describe('AUC', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one, ½ for ties', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1)
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0)
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5)
    // One of four positive–negative pairs misordered.
    expect(rocAuc([0.1, 0.6, 0.5, 0.9], [0, 0, 1, 1])).toBe(0.75)
  })

  it('counts the confusion at ½', () => {
    expect(evaluateModel([0.9, 0.4, 0.6, 0.1], [1, 1, 0, 0])).toEqual({
      rows: 4,
      accuracy: 0.5,
      auc: 0.75,
      confusion: { truePositive: 1, falsePositive: 1, trueNegative: 1, falseNegative: 1 },
    })
  })
})

describe('membership inference (ADR 0044)', () => {
  const n = 400
  const labels = Array.from({ length: n }, (_, i) => i % 2)
  it('finds a memorising model: training rows get their label with near certainty, held-out rows do not', () => {
    const train = { p: labels.map((y) => (y === 1 ? 0.99 : 0.01)), y: labels, subjects: subjects(n, 'm') }
    // Held out: right on average, unsure.
    const test = {
      p: labels.map((y, i) => (y === 1 ? 0.55 + (i % 7) / 100 : 0.45 - (i % 7) / 100)),
      y: labels,
      subjects: subjects(n, 'n'),
    }
    const attack = membershipInferenceAuc({ seed: 1, train, test })
    expect(attack.auc).toBeGreaterThan(MAX_MEMBERSHIP_AUC)
    expect(attack).toMatchObject({ members: n, nonMembers: n })
    const checks = runReversibilityChecks({
      kind: 'logistic_regression',
      k: 10,
      trainRows: 10_000,
      parameters: 5,
      identifierLike: [],
      membership: attack,
    })
    expect(checks.find((c) => c.code === 'membership_inference')).toMatchObject({ passed: false })
    expect(checks.find((c) => c.code === 'parameters_per_row')).toMatchObject({ passed: true })
  })

  it('stays near chance for a model that treats members and non-members alike, and is deterministic by seed', () => {
    const p = labels.map((y, i) => (y === 1 ? 0.6 + (i % 11) / 50 : 0.4 - (i % 11) / 50))
    const train = { p, y: labels, subjects: subjects(n, 'm') }
    const test = { p, y: labels, subjects: subjects(n, 'n') }
    const a = membershipInferenceAuc({ seed: 7, train, test })
    expect(Math.abs(a.auc - 0.5)).toBeLessThan(0.05)
    expect(membershipInferenceAuc({ seed: 7, train, test })).toEqual(a)
  })

  it('refuses a tree leaf below k, too many parameters and an identifier-like feature', () => {
    const membership = { auc: 0.5, members: 100, nonMembers: 100 }
    const tree = runReversibilityChecks({
      kind: 'decision_tree',
      k: 20,
      trainRows: 1000,
      parameters: 15,
      smallestLeaf: { rows: 25, subjects: 19 },
      identifierLike: ['DS-X-1.amount'],
      membership,
    })
    expect(tree.filter((c) => !c.passed).map((c) => c.code)).toEqual(['min_leaf_size', 'identifier_like_feature'])
    const lr = runReversibilityChecks({
      kind: 'logistic_regression',
      k: 10,
      trainRows: 999,
      parameters: 20,
      identifierLike: [],
      membership,
    })
    expect(lr.filter((c) => !c.passed).map((c) => c.code)).toEqual(['parameters_per_row'])
  })
})
