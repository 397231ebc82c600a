import { useT } from '#app/i18n/use-t.ts'
import type { MessageKey } from '#app/i18n/messages.ts'

// A sandbox model's measures and reversibility checks (ADR 0044), as the developer and the reviewers see them.

export interface ModelSummaryData {
  id: string
  kind: 'logistic_regression' | 'decision_tree'
  state: string
  level: string
  k: number
  trainRows: number
  testRows: number
  computeMs: number
  metrics: {
    test: {
      accuracy: number
      auc: number
      confusion: { truePositive: number; falsePositive: number; trueNegative: number; falseNegative: number }
    }
  }
  checks: { code: string; passed: boolean; measure: Record<string, unknown> }[]
}

export function ModelSummary({ model }: { model: ModelSummaryData }) {
  const t = useT()
  const m = model.metrics.test
  const vars = (measure: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(measure).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') || '—' : (v as string | number)]),
    )
  return (
    <dl>
      <dt>{t(`models.kind.${model.kind}`)}</dt>
      <dd>
        {t('models.level', { level: model.level, k: model.k })} ·{' '}
        {t('models.rows', { train: model.trainRows, test: model.testRows, ms: model.computeMs })}
      </dd>
      <dd data-testid="model-metrics">
        {t('models.metrics', {
          accuracy: m.accuracy,
          auc: m.auc,
          tp: m.confusion.truePositive,
          fp: m.confusion.falsePositive,
          tn: m.confusion.trueNegative,
          fn: m.confusion.falseNegative,
        })}
      </dd>
      <dt>{t('models.checks')}</dt>
      <dd>
        <ul data-testid="model-checks">
          {model.checks.map((c) => (
            <li key={c.code} data-check={c.code} data-passed={c.passed}>
              <span className={`badge ${c.passed ? 'ok' : 'bad'}`}>
                {t(c.passed ? 'models.check.passed' : 'models.check.failed')}
              </span>{' '}
              {t(`models.check.${c.code}` as MessageKey, vars(c.measure))}
            </li>
          ))}
        </ul>
      </dd>
    </dl>
  )
}
