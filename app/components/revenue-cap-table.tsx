import type { RevenueCapYear } from '#billing/revenue/get-revenue-cap.ts'
import { useT } from '#app/i18n/use-t.ts'
import { formatFen } from '#app/lib/format.ts'
import { ratePercent } from './billing-invoice.tsx'

/**
 * 65号: the maximum allowed revenue per year against paid revenue (operator revenue page, bureau pricing page), counted
 * as ADR 0036 says: industrial costs, plus shared costs × the industrial share of calls; public-interest costs shown
 * and left out; the previous year's excess deducted.
 */
export function RevenueCapTable({ years }: { years: RevenueCapYear[] }) {
  const t = useT()
  return (
    <table data-testid="revenue-cap-table">
      <thead>
        <tr>
          <th>{t('billing.cap.year')}</th>
          <th className="num">{t('billing.cap.industrialCost')}</th>
          <th className="num">{t('billing.cap.sharedCost')}</th>
          <th className="num">{t('billing.cap.publicCost')}</th>
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
            <td className="num">{formatFen(y.industrialCostFen)}</td>
            <td className="num">
              {formatFen(y.sharedCostFen)}
              <span className="muted" data-testid="cap-share">
                {' '}
                × {ratePercent(y.industrialShare)}% = {formatFen(y.allocatedSharedFen)}
              </span>
            </td>
            <td className="num muted" title={t('billing.cap.publicCostHint')}>
              {formatFen(y.publicInterestCostFen)}
            </td>
            <td className="num" data-testid="cap-cost">
              {formatFen(y.operatingCostFen)}
              {y.amortizedFen > 0 && (
                <span className="muted"> ({t('billing.cap.amortized', { amount: formatFen(y.amortizedFen) })})</span>
              )}
            </td>
            <td className="num">{formatFen(y.allowedProfitFen)}</td>
            <td className="num">{formatFen(y.taxesFen)}</td>
            <td className="num">{formatFen(y.deductionFen)}</td>
            <td className="num" data-testid="cap-maximum">
              {formatFen(y.maximumFen)}
            </td>
            <td className="num">
              {formatFen(y.paidRevenueFen)}
              {y.usedShare && <span className="muted"> ({ratePercent(y.usedShare)}%)</span>}
              {y.reached !== null && (
                <span className={`badge ${y.reached === 100 ? 'bad' : 'warn'}`} data-testid="cap-reached">
                  {' '}
                  {t(y.reached === 100 ? 'billing.cap.reached100' : 'billing.cap.reached80')}
                </span>
              )}
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

/** The banner of the operator's and the bureau's dashboards while a year's paid revenue is at 80% of its cap or more. */
export function RevenueCapBanner({ year }: { year: Pick<RevenueCapYear, 'year' | 'reached' | 'usedShare'> | null }) {
  const t = useT()
  if (!year || year.reached === null) return null
  return (
    <p className={`notice ${year.reached === 100 ? 'error' : 'warn'}`} role="status" data-testid="cap-banner">
      {t(year.reached === 100 ? 'billing.cap.banner100' : 'billing.cap.banner80', {
        year: year.year,
        used: year.usedShare ? ratePercent(year.usedShare) : '—',
      })}
    </p>
  )
}
