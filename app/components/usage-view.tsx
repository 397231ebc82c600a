import { Link } from '@remix-run/react'
import { errorMessage } from '#app/forms/error-message.ts'
import type { UsageSummary } from '#partner-access/usage/summarize-usage.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { httpStatusText } from '#app/i18n/messages.ts'
import { formatCount, formatTime } from '#app/lib/format.ts'

/** The calls of the last 30 days on a home page (operator, partner), with the way to the usage page. */
export function UsageTotalStat({ totalCalls, href, testId }: { totalCalls: number; href: string; testId?: string }) {
  const t = useT()
  const lang = useLang()
  return (
    <div className="stats">
      <div className="stat">
        <div className="value" data-testid={testId}>
          {formatCount(totalCalls, lang)}
        </div>
        <div className="label">
          {t('usage.total')} (30d) · <Link to={href}>{t('nav.usage')}</Link>
        </div>
      </div>
    </div>
  )
}

/**
 * The usage page of the partner's administrator, its developers (their partner's calls) and the operator (every
 * partner's, `showPartners`).
 */
export function UsageView({ usage, showPartners }: { usage: UsageSummary; showPartners: boolean }) {
  const t = useT()
  const lang = useLang()
  return (
    <>
      <h1>{t('usage.title')}</h1>
      <div className="stats">
        <div className="stat">
          <div className="value" data-testid="usage-total">
            {formatCount(usage.totalCalls, lang)}
          </div>
          <div className="label">{t('usage.total')}</div>
        </div>
        <div className="stat">
          <div className="value">{formatCount(usage.totalRecords, lang)}</div>
          <div className="label">{t('usage.records')}</div>
        </div>
      </div>
      {usage.totalCalls === 0 && <p className="muted">{t('usage.none')}</p>}
      {usage.quotas.length > 0 && (
        <>
          <h2>{t('gateway.usage.quotas')}</h2>
          <table data-testid="quota-table">
            <thead>
              <tr>
                <th>{t('col.product')}</th>
                <th>{t('col.purpose')}</th>
                <th>{t('gateway.usage.plan')}</th>
                <th className="num">{t('gateway.usage.quota')}</th>
                <th className="num">{t('gateway.usage.used')}</th>
                <th className="num">{t('gateway.usage.remaining')}</th>
                <th>{t('gateway.usage.resets')}</th>
              </tr>
            </thead>
            <tbody>
              {usage.quotas.map((q) => (
                <tr key={q.subscriptionId} data-testid={`quota-${q.productCode}`}>
                  <td>
                    {lang === 'zh' ? q.productName : q.productNameEn} <code>{q.productCode}</code>
                  </td>
                  <td>{t(q.purpose === 'industrial' ? 'purpose.industrial' : 'purpose.public_interest')}</td>
                  <td>{(lang === 'zh' ? q.planNameZh : q.planNameEn) ?? q.planCode}</td>
                  <td className="num">
                    {q.monthlyQuota === null ? t('gateway.usage.unlimited') : formatCount(q.monthlyQuota, lang)}
                  </td>
                  <td className="num" data-testid="quota-used">
                    {formatCount(q.usedThisMonth, lang)}
                  </td>
                  <td className="num" data-testid="quota-remaining">
                    {q.remaining === null ? t('gateway.usage.unlimited') : formatCount(q.remaining, lang)}
                  </td>
                  <td>{formatTime(q.resetsAt, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h2>{t('usage.byProduct')}</h2>
      <table>
        <thead>
          <tr>
            <th>{t('col.product')}</th>
            <th>{t('col.purpose')}</th>
            <th className="num">{t('col.calls')}</th>
          </tr>
        </thead>
        <tbody>
          {usage.byProduct.map((p) => (
            <tr key={p.productCode + p.purpose}>
              <td>
                {lang === 'zh' ? p.productName : p.productNameEn} <code>{p.productCode}</code>
              </td>
              <td>{t(p.purpose === 'industrial' ? 'purpose.industrial' : 'purpose.public_interest')}</td>
              <td className="num">{formatCount(p.calls, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {showPartners && (
        <>
          <h2>{t('usage.byPartner')}</h2>
          <table>
            <thead>
              <tr>
                <th>{t('col.partner')}</th>
                <th className="num">{t('col.calls')}</th>
              </tr>
            </thead>
            <tbody>
              {usage.byPartner.map((p) => (
                <tr key={p.partnerCode}>
                  <td>{p.partnerName}</td>
                  <td className="num">{formatCount(p.calls, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h2>{t('usage.byDay')}</h2>
      <table>
        <thead>
          <tr>
            <th>{t('col.day')}</th>
            <th className="num">{t('col.calls')}</th>
          </tr>
        </thead>
        <tbody>
          {usage.byDay.map((d) => (
            <tr key={d.day}>
              <td>{d.day}</td>
              <td className="num">{formatCount(d.calls, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('gateway.usage.byStatus')}</h2>
      <table data-testid="usage-by-status">
        <thead>
          <tr>
            <th>{t('col.status')}</th>
            <th className="num">{t('col.calls')}</th>
          </tr>
        </thead>
        <tbody>
          {usage.byStatus.map((s) => (
            <tr key={s.status}>
              <td>{httpStatusText(lang, s.status)}</td>
              <td className="num">{formatCount(s.calls, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('usage.recent')}</h2>
      <table data-testid="recent-calls">
        <thead>
          <tr>
            <th>{t('col.time')}</th>
            <th>{t('col.product')}</th>
            {showPartners && <th>{t('col.partner')}</th>}
            <th>{t('col.prefix')}</th>
            <th>{t('col.status')}</th>
            <th>{t('col.requestId')}</th>
          </tr>
        </thead>
        <tbody>
          {usage.recent.map((r) => (
            <tr key={r.requestId}>
              <td>{formatTime(r.at, lang)}</td>
              <td>
                <code>{r.productCode}</code>
              </td>
              {showPartners && <td>{r.partnerName}</td>}
              <td>
                <code>{r.keyPrefix}…</code>
              </td>
              <td>{httpStatusText(lang, r.status)}</td>
              <td>
                <code>{r.requestId}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('usage.rejected')}</h2>
      <table>
        <thead>
          <tr>
            <th>{t('col.time')}</th>
            <th>{t('col.code')}</th>
            <th>{t('col.status')}</th>
            <th>{t('col.prefix')}</th>
            <th>{t('col.requestId')}</th>
          </tr>
        </thead>
        <tbody>
          {usage.rejected.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                {t('usage.none')}
              </td>
            </tr>
          )}
          {usage.rejected.map((r) => (
            <tr key={r.requestId}>
              <td>{formatTime(r.at, lang)}</td>
              <td>
                {errorMessage(lang, r.code, { area: 'gateway' })} <code className="muted">{r.code}</code>
              </td>
              <td>{httpStatusText(lang, r.status)}</td>
              <td>{r.keyPrefix ? <code>{r.keyPrefix}…</code> : '—'}</td>
              <td>
                <code>{r.requestId}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
