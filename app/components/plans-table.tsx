import type { PlanVersionListing } from '#partner-access/plans/list-plan-versions.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount } from '#app/lib/format.ts'

/** Every plan version with its limits and use (ADR 0032): the operator's page and the bureau's read-only one. */
export function PlansTable({ plans }: { plans: PlanVersionListing[] }) {
  const t = useT()
  const lang = useLang()
  return (
    <table data-testid="plans-table">
      <thead>
        <tr>
          <th>{t('plans.col.plan')}</th>
          <th>{t('plans.col.version')}</th>
          <th>{t('plans.col.rate')}</th>
          <th>{t('plans.col.quota')}</th>
          <th>{t('plans.col.subjects')}</th>
          <th>{t('plans.col.keys')}</th>
          <th>{t('plans.col.immediate')}</th>
          <th>{t('plans.col.inUse')}</th>
        </tr>
      </thead>
      <tbody>
        {plans.map((p) => (
          <tr key={`${p.code}@${p.version}`} data-testid={`plan-${p.code}-${p.version}`}>
            <td>
              {lang === 'zh' ? p.nameZh : p.nameEn} <code>{p.code}</code>
            </td>
            <td>
              v{p.version}
              {!p.isLatest && <div className="muted">{t('plans.replaced')}</div>}
            </td>
            <td>{formatCount(p.rateLimitPerMinute, lang)}</td>
            <td>{p.monthlyQuota === null ? t('plans.unlimited') : formatCount(p.monthlyQuota, lang)}</td>
            <td>{formatCount(p.distinctSubjectsPerDay, lang)}</td>
            <td>{p.maxActiveKeys}</td>
            <td>{t(p.allowsImmediateChange ? 'plans.yes' : 'plans.no')}</td>
            <td>{formatCount(p.subscriptions + p.pendingMoves, lang)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
