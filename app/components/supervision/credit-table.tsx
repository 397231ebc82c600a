import type { ReactNode } from 'react'
import { Link } from '@remix-run/react'
import { useT } from '#app/i18n/use-t.ts'

export interface CreditRow {
  id: string
  code: string
  subjectType: 'partner' | 'operator'
  partner: { code: string; name: string } | null
  severity: 'minor' | 'major' | 'serious'
  sourceType: 'case' | 'regulator_finding'
  caseRef: string | null
  linkedCase: { code: string } | null
  regulatorName: string | null
  occurredOn: string
  expiresOn: string
  description: string
  status: 'active' | 'expired' | 'revoked' | 'pending'
  revocation: { code: string; reason: string } | null
}

/** Credit records (Art. 28) as the bureau and the operator see them. `actions`: a cell per row (the bureau's revoke). */
export function CreditTable({
  records,
  actions,
  casesBase,
}: {
  records: CreditRow[]
  actions?: (r: CreditRow) => ReactNode
  /** Where a linked rectification case is shown (the bureau's case pages). */
  casesBase?: string
}) {
  const t = useT()
  if (records.length === 0) return <p className="muted">{t('emergency.credit.none')}</p>
  return (
    <table data-testid="credit-records">
      <thead>
        <tr>
          <th>{t('col.code')}</th>
          <th>{t('emergency.credit.subject')}</th>
          <th>{t('emergency.credit.severity')}</th>
          <th>{t('emergency.credit.source')}</th>
          <th>{t('emergency.credit.occurredOn')}</th>
          <th>{t('emergency.credit.expiresOn')}</th>
          <th>{t('emergency.credit.description')}</th>
          <th>{t('emergency.credit.status')}</th>
          {actions && <th />}
        </tr>
      </thead>
      <tbody>
        {records.map((r) => (
          <tr key={r.id} data-testid={`credit-${r.code}`}>
            <td>
              <code>{r.code}</code>
            </td>
            <td>
              {r.partner ? (
                <>
                  {r.partner.name} <code>{r.partner.code}</code>
                </>
              ) : (
                t('emergency.credit.subject.operator')
              )}
            </td>
            <td>
              <span className={`badge ${r.severity === 'serious' ? 'bad' : ''}`}>
                {t(`emergency.credit.severity.${r.severity}`)}
              </span>
            </td>
            <td>
              {t(`emergency.credit.source.${r.sourceType}`)}{' '}
              {r.sourceType === 'case' ? (
                r.linkedCase && casesBase ? (
                  <Link to={`${casesBase}/${r.linkedCase.code}`} title={t('emergency.credit.linkedCase')}>
                    <code>{r.linkedCase.code}</code>
                  </Link>
                ) : (
                  <code>{r.caseRef}</code>
                )
              ) : (
                r.regulatorName
              )}
            </td>
            <td>{r.occurredOn}</td>
            <td>{r.expiresOn}</td>
            <td>
              {r.description}
              {r.revocation && (
                <p className="muted">
                  {r.revocation.code}: {r.revocation.reason}
                </p>
              )}
            </td>
            <td>
              <span className={`badge ${r.status === 'active' ? 'bad' : 'ok'}`} data-testid="credit-status">
                {t(`emergency.credit.status.${r.status}`)}
              </span>
            </td>
            {actions && <td>{actions(r)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  )
}
