import { Link } from '@remix-run/react'
import type { QuotaStatus } from '#partner-access/usage/summarize-usage.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount } from '#app/lib/format.ts'

/** Each subscription's calls this month against its quota: a meter and the numbers (partner and developer homes). */
export function QuotaMeters({ quotas }: { quotas: QuotaStatus[] }) {
  const t = useT()
  const lang = useLang()
  if (quotas.length === 0) return <p className="muted">{t('home.quotaNone')}</p>
  return (
    <ul className="quota-list" data-testid="quota-meters">
      {quotas.map((q) => {
        const name = lang === 'zh' ? q.productName : q.productNameEn
        const used = formatCount(q.usedThisMonth, lang)
        const share = q.monthlyQuota ? Math.min(1, q.usedThisMonth / q.monthlyQuota) : 0
        return (
          <li key={q.subscriptionId} data-testid={`quota-${q.productCode}`} data-used={q.usedThisMonth}>
            <div className="quota-head">
              <span>
                {name}
                {q.purpose === 'public_interest' ? ` · ${t('purpose.public_interest')}` : ''}
              </span>
              <span className="quota-numbers">
                {q.monthlyQuota === null
                  ? t('home.quotaUnlimited', { used })
                  : t('home.quotaOf', { used, quota: formatCount(q.monthlyQuota, lang) })}
              </span>
            </div>
            {q.monthlyQuota !== null && (
              <meter
                min={0}
                max={q.monthlyQuota}
                low={q.monthlyQuota * 0.8}
                high={q.monthlyQuota * 0.95}
                optimum={0}
                value={Math.min(q.usedThisMonth, q.monthlyQuota)}
                aria-label={t('home.quotaLabel', { product: name })}
                className={share >= 0.95 ? 'full' : ''}
              />
            )}
          </li>
        )
      })}
    </ul>
  )
}

/** Calls today and this month, with a link to the usage page (partner and developer homes). */
export function CallStats({ calls, usageTo }: { calls: { today: number; thisMonth: number }; usageTo: string }) {
  const t = useT()
  const lang = useLang()
  return (
    <>
      <div className="stat">
        <div className="value" data-testid="home-calls-today">
          {formatCount(calls.today, lang)}
        </div>
        <div className="label">{t('home.callsToday')}</div>
      </div>
      <div className="stat">
        <div className="value" data-testid="home-calls-month">
          {formatCount(calls.thisMonth, lang)}
        </div>
        <div className="label">
          {t('home.callsMonth')} · <Link to={usageTo}>{t('home.next.usage')}</Link>
        </div>
      </div>
    </>
  )
}
