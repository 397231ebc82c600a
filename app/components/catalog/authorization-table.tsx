import type { ReactNode } from 'react'
import type { AuthorizationRow } from '#app/domain.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { StateBadge, useFormatDay, useOptionLabel } from './catalog-ui.tsx'

const DAY = 86_400_000

/** Authorizations with their terms, days left, and what their end deleted. */
export function AuthorizationTable({
  rows,
  now,
  showSourceUnit,
  actions,
}: {
  rows: AuthorizationRow[]
  now: number
  showSourceUnit?: boolean
  actions?: (row: AuthorizationRow) => ReactNode
}) {
  const t = useT()
  const lang = useLang()
  const label = useOptionLabel()
  const day = useFormatDay()
  return (
    <table data-testid="authorizations" className="catalog-table">
      <thead>
        <tr>
          <th>{t('col.code')}</th>
          <th>{t('catalog.auth.dataset')}</th>
          {showSourceUnit && <th>{t('role.source_unit')}</th>}
          <th>{t('col.delivery')}</th>
          <th>{t('catalog.auth.starts')}</th>
          <th>{t('catalog.auth.ends')}</th>
          <th>{t('col.status')}</th>
          <th>{t('catalog.auth.ended')}</th>
          {actions && <th />}
        </tr>
      </thead>
      <tbody>
        {rows.map((a) => {
          const daysLeft = Math.ceil((a.endsAt - now) / DAY)
          return (
            <tr key={a.code} data-testid={`authorization-${a.code}`} data-state={a.state}>
              <td>
                <code>{a.code}</code>
              </td>
              <td>
                <code>{a.datasetCode}</code> {lang === 'zh' ? a.datasetNameZh : a.datasetNameEn}{' '}
                <span className="badge">{a.level}</span>
              </td>
              {showSourceUnit && <td>{lang === 'zh' ? a.sourceUnitZh : a.sourceUnitEn}</td>}
              <td>{label('delivery', a.deliveryMode)}</td>
              <td>{day(a.startsAt)}</td>
              <td>
                {day(a.endsAt)}
                {a.state === 'active' && daysLeft > 0 && (
                  <>
                    {' '}
                    <span className={`badge${daysLeft <= 90 ? ' bad' : ''}`} data-testid="days-left">
                      {t('catalog.auth.daysLeft', { n: daysLeft })}
                    </span>
                  </>
                )}
              </td>
              <td>
                <StateBadge state={a.state} testId="authorization-state" />
              </td>
              <td>
                {a.endedAt ? (
                  <>
                    {day(a.endedAt)} · {a.endedReason === 'term_ended' ? t('catalog.auth.termEnded') : a.endedReason}
                    <br />
                    <span className="muted">
                      {a.dataDeletedAt ? t('catalog.auth.rowsDeleted', { n: a.rowsDeleted ?? 0 }) : t('catalog.auth.dataKept')}
                    </span>
                  </>
                ) : (
                  '—'
                )}
              </td>
              {actions && <td>{actions(a)}</td>}
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
