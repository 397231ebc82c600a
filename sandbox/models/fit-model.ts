import { threadId } from 'node:worker_threads'
import { evaluateModel, type ModelMetrics } from './evaluate-model.ts'
import { fitDecisionTree, fitLogisticRegression, type FittedModel } from './learners.ts'
import type { ModelSpec } from './model-spec.ts'
import { membershipInferenceAuc, runReversibilityChecks, type ReversibilityCheck } from './reversibility-checks.ts'

export const DEFAULT_TREE_DEPTH = 4

interface Split {
  x: number[][]
  y: number[]
  subjects: string[]
}

/** What fitting needs: the specification and the encoded rows (plain data, so it can cross to a worker thread). */
export interface FitInput {
  spec: ModelSpec
  k: number
  names: string[]
  train: Split
  test: Split
  identifierLike: string[]
}

/** What fitting gives back: only measures and the artifact (coefficients or tree), never a row. */
export interface FitOutput {
  artifact: FittedModel['artifact']
  metrics: { train: ModelMetrics; test: ModelMetrics }
  checks: ReversibilityCheck[]
  /** The thread that fitted the model (0 = the main thread): the tests check that training leaves the event loop free. */
  threadId: number
}

/**
 * Fits the learner, measures it on both splits and runs the reversibility checks (ADR 0044) while the rows are at hand.
 * Pure CPU work, seconds at city scale: train-sandbox-model.ts runs it in a worker thread (fit-off-thread.ts).
 */
export function fitModel(input: FitInput): FitOutput {
  const { spec, k, train, test } = input
  const seed = spec.params?.seed ?? 1
  const model =
    spec.kind === 'logistic_regression'
      ? fitLogisticRegression(train.x, train.y, input.names)
      : fitDecisionTree(train.x, train.y, train.subjects, input.names, {
          maxDepth: spec.params?.maxDepth ?? DEFAULT_TREE_DEPTH,
          minLeafSize: spec.params?.minLeafSize ?? k,
        })
  const trainP = model.predict(train.x)
  const testP = model.predict(test.x)
  const membership = membershipInferenceAuc({
    seed,
    train: { p: trainP, y: train.y, subjects: train.subjects },
    test: { p: testP, y: test.y, subjects: test.subjects },
  })
  const checks = runReversibilityChecks({
    kind: spec.kind,
    k,
    trainRows: train.y.length,
    parameters: model.parameters,
    ...(model.smallestLeaf ? { smallestLeaf: model.smallestLeaf } : {}),
    identifierLike: input.identifierLike,
    membership,
  })
  return {
    artifact: model.artifact,
    metrics: { train: evaluateModel(trainP, train.y), test: evaluateModel(testP, test.y) },
    checks,
    threadId,
  }
}
