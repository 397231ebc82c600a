import type { DatasetGradingDetail, DatasetLevelRow } from '#app/domain.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import type { MessageKey } from '#app/i18n/messages.ts'

// The grading of a dataset as both sides see it (Art. 5; ADR 0037): the state, the history, the products it affects.

/** "Awaiting the source unit: L3 proposed by …" or "Confirmed L3 by the source unit (…)". */
export function GradingState({
  row,
}: {
  row: Pick<DatasetLevelRow, 'state' | 'proposed' | 'confirmed' | 'level' | 'hasPersonalFields'>
}) {
  const t = useT()
  const lang = useLang()
  return (
    <div data-testid="grading-state" data-state={row.state}>
      <p>
        <span className="badge">{t(`grading.state.${row.state}` as MessageKey)}</span>{' '}
        {row.state === 'confirmed' && row.confirmed
          ? t('grading.confirmedBy', {
              level: row.confirmed.level,
              by: row.confirmed.actorLabel ?? '—',
              at: formatTime(row.confirmed.at, lang),
            })
          : t('grading.waiting', {
              level: row.proposed.level,
              by: row.proposed.actorLabel ?? '—',
              at: formatTime(row.proposed.at, lang),
            })}
      </p>
      {row.hasPersonalFields && <p className="muted">{t('grading.personalFloor')}</p>}
    </div>
  )
}

export function GradingHistory({ history }: { history: DatasetGradingDetail['history'] }) {
  const t = useT()
  const lang = useLang()
  return (
    <table data-testid="grading-history">
      <thead>
        <tr>
          <th>{t('grading.col.at')}</th>
          <th>{t('grading.col.state')}</th>
          <th>{t('grading.level')}</th>
          <th>{t('grading.col.by')}</th>
          <th>{t('grading.usageRequirements')}</th>
        </tr>
      </thead>
      <tbody>
        {history.map((h, i) => (
          <tr key={i}>
            <td>{formatTime(h.at, lang)}</td>
            <td>{t(`grading.kind.${h.kind}` as MessageKey)}</td>
            <td>
              {h.previousLevel && h.previousLevel !== h.level ? `${h.previousLevel} → ` : ''}
              {h.level}
            </td>
            <td>{h.actorLabel}</td>
            <td className="pre-wrap">
              {h.usageRequirements ??
                (h.note === 'registration' ? '' : h.note === 'personal_data_below_l2' ? t('grading.personalFloor') : h.note) ??
                ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

export function GradingProducts({ products }: { products: DatasetGradingDetail['products'] }) {
  const t = useT()
  const lang = useLang()
  return (
    <table data-testid="grading-products">
      <thead>
        <tr>
          <th>{t('col.code')}</th>
          <th>{t('grading.products.output')}</th>
          <th>{t('grading.products.state')}</th>
        </tr>
      </thead>
      <tbody>
        {products.map((p) => (
          <tr key={p.code} data-testid="grading-product" data-code={p.code} data-suspended={p.suspendedAt ? 'yes' : 'no'}>
            <td>
              {lang === 'zh' ? p.nameZh : p.nameEn} <code>{p.code}</code>
            </td>
            <td>{p.outputKind ? t(`grading.output.${p.outputKind}` as MessageKey) : '—'}</td>
            <td>
              {p.suspendedAt ? (
                <>
                  <span className="badge">{t('grading.products.suspended')}</span> {formatTime(p.suspendedAt, lang)}
                  <br />
                  <span className="muted" data-testid="suspension-reason">
                    {p.suspensionReason}
                  </span>
                </>
              ) : (
                t('grading.products.active')
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
