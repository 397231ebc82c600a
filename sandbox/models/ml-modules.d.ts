// The two learners ship no type declarations; these cover what sandbox/models uses (ADR 0044).
declare module 'ml-cart' {
  import type { Matrix } from 'ml-matrix'
  export class DecisionTreeClassifier {
    constructor(options?: {
      gainFunction?: 'gini'
      splitFunction?: 'mean'
      minNumSamples?: number
      maxDepth?: number
      gainThreshold?: number
    })
    train(trainingSet: Matrix | number[][], trainingLabels: number[]): void
    predict(toPredict: Matrix | number[][]): number[]
    toJSON(): { options: unknown; root: unknown; name: 'DTClassifier' }
  }
}

declare module 'ml-logistic-regression' {
  import type { Matrix } from 'ml-matrix'
  interface TwoClasses {
    weights: Matrix | null
    train(features: Matrix, target: Matrix): void
    testScores(features: Matrix): number[]
  }
  export default class LogisticRegression {
    constructor(options?: { numSteps?: number; learningRate?: number })
    classifiers: TwoClasses[]
    train(X: Matrix, Y: Matrix): void
    predict(X: Matrix): number[]
    static load(model: Record<string, unknown>): LogisticRegression
  }
}
