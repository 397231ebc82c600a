// What may leave the platform, by the sensitivity level of the data it is drawn from (Measures Art. 4, 13):
//
//   L1  records as they are, aggregates, verdicts, scores
//   L2  records with every personal field masked (catalog/desensitization/), aggregates, verdicts, scores
//   L3  no records: only verdicts, scores, or aggregates over groups of at least k = 10 (smaller groups suppressed)
//   L4  no records, no aggregates: only verdicts or scores
//
// An answer drawing on several datasets follows, for each part, the level of the dataset that part comes from;
// a part computed from several datasets follows the strictest of them.

import { SENSITIVITY_LEVELS, type SensitivityLevel } from '#db/schema/catalog.ts'
import { fail, ok, type Result } from '#platform/result.ts'

/** The smallest group an aggregate over L3 data may describe; components apply it at every level. */
export const MIN_GROUP_SIZE = 10

export type OutputKind = 'record' | 'aggregate' | 'verdict' | 'score'

export interface OutputRule {
  level: SensitivityLevel
  /** `as_is`: records unchanged; `masked`: personal fields masked; `none`: no record may leave. */
  records: 'as_is' | 'masked' | 'none'
  aggregates: boolean
  /** Groups describing fewer units than this are suppressed (aggregates only). */
  minGroupSize: number
  verdicts: boolean
  scores: boolean
}

export const OUTPUT_RULES: Readonly<Record<SensitivityLevel, OutputRule>> = {
  L1: { level: 'L1', records: 'as_is', aggregates: true, minGroupSize: 1, verdicts: true, scores: true },
  L2: { level: 'L2', records: 'masked', aggregates: true, minGroupSize: 1, verdicts: true, scores: true },
  L3: { level: 'L3', records: 'none', aggregates: true, minGroupSize: MIN_GROUP_SIZE, verdicts: true, scores: true },
  L4: { level: 'L4', records: 'none', aggregates: false, minGroupSize: Number.POSITIVE_INFINITY, verdicts: true, scores: true },
}

/** The stricter of several levels (L4 > L3 > L2 > L1); L1 for none. */
export function strictestLevel(levels: Iterable<SensitivityLevel>): SensitivityLevel {
  let max = 0
  for (const level of levels) max = Math.max(max, SENSITIVITY_LEVELS.indexOf(level))
  return SENSITIVITY_LEVELS[max]!
}

/** Whether data of `level` may leave the platform as `kind`; the rule when it may, `output_not_permitted` when not. */
export function checkOutput(level: SensitivityLevel, kind: OutputKind): Result<OutputRule> {
  const rule = OUTPUT_RULES[level]
  const permitted =
    kind === 'record'
      ? rule.records !== 'none'
      : kind === 'aggregate'
        ? rule.aggregates
        : kind === 'verdict'
          ? rule.verdicts
          : rule.scores
  if (permitted) return ok(rule)
  const allowed =
    level === 'L4' ? 'verdicts or scores' : 'verdicts, scores or aggregates over groups of at least ' + MIN_GROUP_SIZE
  return fail('forbidden', 'output_not_permitted', `${level} data may leave the platform only as ${allowed}, not as ${kind}s`, {
    level: `${level.toLowerCase()}_forbids_${kind}`,
  })
}
