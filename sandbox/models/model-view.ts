import type { sandboxModels } from '#db/schema/sandbox-models.ts'
import type { ModelMetrics } from './evaluate-model.ts'
import type { ModelSpec } from './model-spec.ts'
import type { ReversibilityCheck } from './reversibility-checks.ts'

type Row = typeof sandboxModels.$inferSelect

/** A model as its partner, the API and the reviewers see it: never the artifact before release, never a row. */
export interface SandboxModelView {
  id: string
  kind: Row['kind']
  state: Row['state']
  level: string
  k: number
  trainedAt: number
  spec: ModelSpec
  trainRows: number
  testRows: number
  computeMs: number
  metrics: { train: ModelMetrics; test: ModelMetrics }
  checks: ReversibilityCheck[]
  checksPassed: boolean
  refusalCode: string | null
  bureauRequired: boolean
  requestedAt: number | null
  operatorReviewedAt: number | null
  bureauReviewedAt: number | null
  rejectedReason: string | null
  releasedAt: number | null
  downloadedAt: number | null
}

export function toModelView(row: Row): SandboxModelView {
  const checks = JSON.parse(row.checks) as ReversibilityCheck[]
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    level: row.level,
    k: row.k,
    trainedAt: row.trainedAt,
    spec: JSON.parse(row.spec) as ModelSpec,
    trainRows: row.trainRows,
    testRows: row.testRows,
    computeMs: row.computeMs,
    metrics: JSON.parse(row.metrics) as SandboxModelView['metrics'],
    checks,
    checksPassed: checks.every((c) => c.passed),
    refusalCode: row.refusalCode,
    bureauRequired: row.bureauRequired,
    requestedAt: row.requestedAt,
    operatorReviewedAt: row.operatorReviewedAt,
    bureauReviewedAt: row.bureauReviewedAt,
    rejectedReason: row.rejectedReason,
    releasedAt: row.releasedAt,
    downloadedAt: row.downloadedAt,
  }
}
