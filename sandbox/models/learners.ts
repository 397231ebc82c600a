import { DecisionTreeClassifier } from 'ml-cart'
import LogisticRegression from 'ml-logistic-regression'
import { Matrix } from 'ml-matrix'

// The two learners of the sandbox (ADR 0044), fitted by the libraries (ml-logistic-regression, ml-cart); this file only
// prepares their input, reads their output and, for the tree, prunes it so every leaf describes at least k subjects.

export interface FittedModel {
  /** P(label = 1) per row. */
  predict(x: readonly number[][]): number[]
  /** What may leave after review: never a training row. */
  artifact: LogisticArtifact | TreeArtifact
  /** Parameters the model carries (coefficients and intercept, or leaves and splits). */
  parameters: number
  /** Trees: the smallest leaf, in training rows and in distinct training subjects. */
  smallestLeaf?: { rows: number; subjects: number }
  leaves?: number
}

export interface LogisticArtifact {
  kind: 'logistic_regression'
  features: string[]
  coefficients: number[]
  intercept: number
  link: 'logit'
}

export type TreeNodeArtifact =
  { feature: string; threshold: number; left: TreeNodeArtifact; right: TreeNodeArtifact } | { p: number }

export interface TreeArtifact {
  kind: 'decision_tree'
  features: string[]
  /**
   * Numeric features are binned first: a value is replaced by the largest edge not above it (the lowest edge if it is
   * below them all). Edges are quantiles of the training values, each bin holding at least the minimum leaf size.
   */
  bins: Record<string, number[]>
  /** A row goes left when its (binned) feature value is below the threshold; a leaf's `p` is P(label = 1), to 2 decimals. */
  tree: TreeNodeArtifact
}

/** The least gini gain a split must bring. */
export const GAIN_THRESHOLD = 0.0005

/** Bins per numeric feature at most: the tree splits on bin edges, never between two training records. */
export const MAX_BINS = 16

/** Quantile edges of a numeric column, each bin holding at least `minBin` rows (duplicates merged). */
function binEdges(values: number[], minBin: number): number[] {
  const sorted = [...values].sort((a, b) => a - b)
  const bins = Math.max(1, Math.min(MAX_BINS, Math.floor(sorted.length / Math.max(1, minBin))))
  const edges: number[] = []
  for (let b = 0; b < bins; b++) {
    const edge = sorted[Math.floor((b * sorted.length) / bins)]!
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge)
  }
  return edges
}

function binValue(edges: readonly number[], v: number): number {
  let out = edges[0]!
  for (const e of edges) if (e <= v) out = e
  return out
}

/** Six significant digits: the coefficients as a partner would use them, without the fitting's last-bit noise. */
const sig = (x: number) => Number(x.toPrecision(6))
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z))

/** Steps of gradient descent (full batch) over standardized features; the rate is per row (the library sums). */
export const LR_STEPS = 300

export function fitLogisticRegression(x: readonly number[][], y: readonly number[], features: readonly string[]): FittedModel {
  const n = x.length
  const d = features.length
  const mean = new Array<number>(d).fill(0)
  const std = new Array<number>(d).fill(0)
  for (const row of x) row.forEach((v, j) => (mean[j]! += v / n))
  for (const row of x) row.forEach((v, j) => (std[j]! += (v - mean[j]!) ** 2 / n))
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]!) || 1
  const design = new Matrix(x.map((row) => [1, ...row.map((v, j) => (v - mean[j]!) / std[j]!)]))
  // The library's binary learner, reached through its own `load` (its one-vs-all wrapper would fit two mirror models).
  const learner = LogisticRegression.load({
    name: 'LogisticRegression',
    numSteps: LR_STEPS,
    learningRate: 1 / n,
    numberClasses: 1,
    classifiers: [{ numSteps: LR_STEPS, learningRate: 1 / n, weights: null }],
  }).classifiers[0]!
  learner.train(design, Matrix.columnVector([...y]))
  const w = learner.weights!.to1DArray()
  // Back to the features' own scale: a partner applies the coefficients to raw values.
  const coefficients = features.map((_, j) => w[j + 1]! / std[j]!)
  const intercept = w[0]! - coefficients.reduce((s, c, j) => s + c * mean[j]!, 0)
  const artifact: LogisticArtifact = {
    kind: 'logistic_regression',
    features: [...features],
    coefficients: coefficients.map(sig),
    intercept: sig(intercept),
    link: 'logit',
  }
  return {
    artifact,
    parameters: d + 1,
    predict: (rows) =>
      rows.map((row) => sigmoid(artifact.intercept + row.reduce((s, v, j) => s + v * artifact.coefficients[j]!, 0))),
  }
}

interface LibraryNode {
  splitColumn?: number
  splitValue?: number
  left?: LibraryNode
  right?: LibraryNode
}

type Node = { column: number; threshold: number; left: Node; right: Node } | { leaf: true; rows: number[] }

/**
 * A CART tree (gini) of at most `maxDepth`, then pruned bottom-up: a split either of whose sides holds fewer than
 * `minLeafSize` training rows or distinct subjects is collapsed into a leaf. Leaves predict the share of positives
 * among their training rows.
 */
export function fitDecisionTree(
  x: readonly number[][],
  y: readonly number[],
  subjects: readonly string[],
  features: readonly string[],
  opts: { maxDepth: number; minLeafSize: number },
): FittedModel {
  // Numeric columns (more than two values) are binned at training quantiles, so a split never falls between two
  // records and the library's quadratic split search sees few distinct values.
  const bins: Record<string, number[]> = {}
  features.forEach((name, j) => {
    const values = x.map((r) => r[j]!)
    if (new Set(values).size > 2) bins[name] = binEdges(values, opts.minLeafSize)
  })
  const columnBins = features.map((name) => bins[name])
  const binRow = (row: readonly number[]) => row.map((v, j) => (columnBins[j] ? binValue(columnBins[j], v) : v))
  const binned = x.map(binRow)
  // The library's default gain threshold (0.01 of gini) stops at the root on weak real-world signals (a 15% label);
  // a lower one lets the tree grow and the pruning below keeps every leaf at least minLeafSize.
  const learner = new DecisionTreeClassifier({
    gainFunction: 'gini',
    maxDepth: opts.maxDepth,
    minNumSamples: opts.minLeafSize,
    gainThreshold: GAIN_THRESHOLD,
  })
  learner.train(binned, [...y])
  const root = JSON.parse(JSON.stringify(learner.toJSON().root)) as LibraryNode

  const build = (node: LibraryNode, rows: number[]): Node => {
    if (node.left && node.right && node.splitColumn !== undefined && node.splitValue !== undefined) {
      const column = node.splitColumn
      const threshold = node.splitValue
      const l = rows.filter((i) => binned[i]![column]! < threshold)
      const r = rows.filter((i) => !(binned[i]![column]! < threshold))
      const left = build(node.left, l)
      const right = build(node.right, r)
      const big = (side: Node) =>
        'leaf' in side
          ? side.rows.length >= opts.minLeafSize && new Set(side.rows.map((i) => subjects[i])).size >= opts.minLeafSize
          : true
      if (l.length > 0 && r.length > 0 && big(left) && big(right)) return { column, threshold, left, right }
    }
    return { leaf: true, rows }
  }
  const tree = build(
    root,
    x.map((_, i) => i),
  )

  let smallest = { rows: Number.POSITIVE_INFINITY, subjects: Number.POSITIVE_INFINITY }
  let leaves = 0
  const toArtifact = (node: Node): TreeNodeArtifact => {
    if ('leaf' in node) {
      leaves++
      const distinct = new Set(node.rows.map((i) => subjects[i])).size
      smallest = { rows: Math.min(smallest.rows, node.rows.length), subjects: Math.min(smallest.subjects, distinct) }
      const positives = node.rows.reduce((s, i) => s + y[i]!, 0)
      return { p: node.rows.length === 0 ? 0 : Math.round((100 * positives) / node.rows.length) / 100 }
    }
    return {
      feature: features[node.column]!,
      threshold: node.threshold,
      left: toArtifact(node.left),
      right: toArtifact(node.right),
    }
  }
  const artifact: TreeArtifact = { kind: 'decision_tree', features: [...features], bins, tree: toArtifact(tree) }
  const index = new Map(features.map((f, j) => [f, j]))
  const walk = (node: TreeNodeArtifact, row: readonly number[]): number =>
    'p' in node ? node.p : walk(row[index.get(node.feature)!]! < node.threshold ? node.left : node.right, row)
  return {
    artifact,
    parameters: 2 * leaves - 1,
    leaves,
    smallestLeaf: smallest,
    predict: (rows) => rows.map((row) => walk(artifact.tree, binRow(row))),
  }
}
