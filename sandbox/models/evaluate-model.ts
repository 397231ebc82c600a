/** Area under the ROC curve of `scores` separating positives (label 1) from negatives (Mann–Whitney U, ties count ½). */
export function rocAuc(scores: readonly number[], labels: readonly number[]): number {
  const pairs = scores.map((s, i) => ({ s, y: labels[i]! })).sort((a, b) => a.s - b.s)
  let positives = 0
  let rankSum = 0
  for (let i = 0; i < pairs.length;) {
    let j = i
    while (j < pairs.length && pairs[j]!.s === pairs[i]!.s) j++
    const averageRank = (i + 1 + j) / 2
    for (let n = i; n < j; n++)
      if (pairs[n]!.y === 1) {
        positives++
        rankSum += averageRank
      }
    i = j
  }
  const negatives = pairs.length - positives
  if (positives === 0 || negatives === 0) return 0.5
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives)
}

export interface ModelMetrics {
  rows: number
  accuracy: number
  auc: number
  confusion: { truePositive: number; falsePositive: number; trueNegative: number; falseNegative: number }
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000

/** Accuracy (threshold ½), AUC and confusion counts of predicted probabilities against the true labels. */
export function evaluateModel(probabilities: readonly number[], labels: readonly number[]): ModelMetrics {
  const confusion = { truePositive: 0, falsePositive: 0, trueNegative: 0, falseNegative: 0 }
  probabilities.forEach((p, i) => {
    const predicted = p >= 0.5 ? 1 : 0
    const actual = labels[i]
    if (predicted === 1 && actual === 1) confusion.truePositive++
    else if (predicted === 1) confusion.falsePositive++
    else if (actual === 0) confusion.trueNegative++
    else confusion.falseNegative++
  })
  const rows = labels.length
  return {
    rows,
    accuracy: round4(rows === 0 ? 0 : (confusion.truePositive + confusion.trueNegative) / rows),
    auc: round4(rocAuc(probabilities, labels)),
    confusion,
  }
}
