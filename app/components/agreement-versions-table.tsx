import type { SerializeFrom } from '@remix-run/node'
import type { AgreementVersionRow } from '#partner-access/agreements/list-agreement-versions.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'

/** Every agreement version: kind, number, state, current, dates, and the partners that accepted it. */
export function AgreementVersionsTable({ versions }: { versions: SerializeFrom<AgreementVersionRow>[] }) {
  const t = useT()
  const lang = useLang()
  if (versions.length === 0) return <p className="muted">{t('agree.none')}</p>
  return (
    <table data-testid="agreement-versions">
      <thead>
        <tr>
          <th>{t('agree.kind')}</th>
          <th>{t('agree.version')}</th>
          <th>{t('agree.titleZh')}</th>
          <th>{t('agree.effectiveAt')}</th>
          <th>{t('agree.acceptBy')}</th>
          <th>{t('agree.acceptedBy')}</th>
        </tr>
      </thead>
      <tbody>
        {versions.map((v) => (
          <tr key={v.id} data-testid={`agreement-version-${v.kind}-${v.version}`}>
            <td>{t(`agree.kind.${v.kind}`)}</td>
            <td>
              v{v.version} · {t(`agree.state.${v.state}`)}
              {v.isCurrent && <span className="badge"> {t('agree.current')}</span>}
            </td>
            <td>{lang === 'zh' ? v.titleZh : v.titleEn}</td>
            <td>{formatTime(v.effectiveAt, lang)}</td>
            <td>{v.acceptBy ? formatTime(v.acceptBy, lang) : '—'}</td>
            <td>{v.acceptedBy.join(', ') || '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
