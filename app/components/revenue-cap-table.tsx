import type { RevenueCapYear } from '#billing/revenue/get-revenue-cap.ts'
import { useT } from '#app/i18n/use-t.ts'
import { formatFen } from '#app/lib/format.ts'
import { ratePercent } from './billing-invoice.tsx'

/** 65号: the maximum allowed revenue per year against paid revenue (operator dashboard and bureau pricing page). */
export function RevenueCapTable({ years }: { years: RevenueCapYear[] }) {
  const t = useT()
  return (
    <table>
      <thead>
        <tr>
          <th>{t('billing.cap.year')}</th>
          <th className="num">{t('billing.cap.cost')}</th>
          <th className="num">{t('billing.cap.profit')}</th>
          <th className="num">{t('billing.cap.taxes')}</th>
          <th className="num">{t('billing.cap.deduction')}</th>
          <th className="num">{t('billing.cap.maximum')}</th>
          <th className="num">{t('billing.cap.paid')}</th>
          <th className="num">{t('billing.cap.excess')}</th>
        </tr>
      </thead>
      <tbody>
        {years.map((y) => (
          <tr key={y.year} data-testid={`cap-${y.year}`}>
            <td>
              {y.year} {y.unset && <span className="badge">{t('billing.cap.unset')}</span>}
              {y.profitRate && (
                <span className="muted">
                  {' '}
                  · {y.profitRate} / {y.taxRate}
                </span>
              )}
            </td>
            <td className="num">{formatFen(y.operatingCostFen)}</td>
            <td className="num">{formatFen(y.allowedProfitFen)}</td>
            <td className="num">{formatFen(y.taxesFen)}</td>
            <td className="num">{formatFen(y.deductionFen)}</td>
            <td className="num" data-testid="cap-maximum">
              {formatFen(y.maximumFen)}
            </td>
            <td className="num">
              {formatFen(y.paidRevenueFen)}
              {y.usedShare && <span className="muted"> ({ratePercent(y.usedShare)}%)</span>}
            </td>
            <td className="num">
              {y.excessFen > 0 ? <span className="badge bad">{formatFen(y.excessFen)}</span> : formatFen(0)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
