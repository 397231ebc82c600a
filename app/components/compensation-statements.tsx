import type { CompensationStatementView } from '#billing/compensation/list-compensation-statements.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount, formatFen } from '#app/lib/format.ts'

/** The stored compensation statements, per period and source unit (the bureau's and the operator's pages). */
export function CompensationStatementsTable({
  statements,
  showDatasets = false,
}: {
  statements: CompensationStatementView[]
  /** The calls per dataset behind each amount (the operator, who computes them). */
  showDatasets?: boolean
}) {
  const t = useT()
  const lang = useLang()
  return (
    <table data-testid="comp-statements">
      <thead>
        <tr>
          <th>{t('billing.col.period')}</th>
          <th>{t('billing.comp.unit')}</th>
          <th className="num">{t('billing.comp.calls')}</th>
          <th className="num">{t('billing.comp.amount')}</th>
          {showDatasets && <th>{t('billing.comp.datasets')}</th>}
        </tr>
      </thead>
      <tbody>
        {statements.length === 0 && (
          <tr>
            <td colSpan={showDatasets ? 5 : 4} className="muted">
              {t('billing.comp.noStatements')}
            </td>
          </tr>
        )}
        {statements.map((s) => (
          <tr key={s.id}>
            <td>{s.period}</td>
            <td>{lang === 'zh' ? s.sourceUnitNameZh : s.sourceUnitNameEn}</td>
            <td className="num">{formatCount(s.calls, lang)}</td>
            <td className="num">{formatFen(s.amountFen)}</td>
            {showDatasets && <td className="muted">{s.lines.map((l) => `${l.dataset} ${l.calls}`).join(t('common.comma'))}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  )
}
