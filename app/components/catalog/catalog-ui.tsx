import { messages, type MessageKey } from '#app/i18n/messages.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'

// Small pieces the catalog pages share.

/** `catalog.<group>.<value>` when it exists, else the raw value. */
export function useOptionLabel() {
  const t = useT()
  return (group: string, value: string | null | undefined) => {
    if (!value) return '—'
    const key = `catalog.${group}.${value}`
    return key in messages.zh ? t(key as MessageKey) : value
  }
}

const GOOD = new Set(['approved', 'granted', 'published', 'active', 'succeeded', 'closed'])
const BAD = new Set(['returned', 'refused', 'retired', 'expired', 'terminated', 'failed', 'rejected'])

export function StateBadge({ state, testId }: { state: string; testId?: string }) {
  const label = useOptionLabel()
  const tone = GOOD.has(state) ? ' ok' : BAD.has(state) ? ' bad' : ''
  return (
    <span className={`badge${tone}`} data-state={state} data-testid={testId}>
      {label('state', state)}
    </span>
  )
}

/** A day in Asia/Shanghai, `2026-11-28` in both languages (ADR 0046). */
export function useFormatDay() {
  return (ms: number | null | undefined) => (ms ? formatDay(ms) : '—')
}

export interface DemandItemView {
  id: string
  state: string
  listCode: string
  listTitle: string
  datasetCode: string | null
  datasetNameZh: string | null
  datasetNameEn: string | null
  datasetLevel: string | null
  sourceUnitZh: string
  sourceUnitEn: string
  dataDescription: string
  retrievalMethod: string
  usageScenario: string
  requestedTermMonths: number
  bureauComment: string | null
  grantedDeliveryMode: string | null
  refusalCitation: string | null
  refusalExplanation: string | null
  transitions: { at: number; from: string; to: string; actorLabel: string; role: string; comment: string | null }[]
}

/** One demand item as every role sees it: the data asked for, why, and its history. */
export function DemandItemSummary({ item, showList = true }: { item: DemandItemView; showList?: boolean }) {
  const t = useT()
  const lang = useLang()
  const label = useOptionLabel()
  return (
    <div className="catalog-item">
      <p>
        <StateBadge state={item.state} testId="item-state" /> {showList && <code>{item.listCode}</code>}{' '}
        {item.datasetCode ? (
          <>
            <code>{item.datasetCode}</code> {lang === 'zh' ? item.datasetNameZh : item.datasetNameEn}{' '}
            <span className="badge">{item.datasetLevel}</span>
          </>
        ) : (
          <span className="muted">{t('catalog.item.noDataset')}</span>
        )}{' '}
        · {lang === 'zh' ? item.sourceUnitZh : item.sourceUnitEn}
      </p>
      <dl className="catalog-dl">
        <dt>{t('catalog.item.dataDescription')}</dt>
        <dd>{item.dataDescription}</dd>
        <dt>{t('catalog.item.retrievalMethod')}</dt>
        <dd>{label('delivery', item.retrievalMethod)}</dd>
        <dt>{t('catalog.item.usageScenario')}</dt>
        <dd data-testid="item-scenario">{item.usageScenario}</dd>
        <dt>{t('catalog.item.requestedTerm')}</dt>
        <dd>{t('catalog.months', { n: item.requestedTermMonths })}</dd>
        {item.bureauComment && (
          <>
            <dt>{t('catalog.item.bureauComment')}</dt>
            <dd data-testid="item-bureau-comment">{item.bureauComment}</dd>
          </>
        )}
        {item.grantedDeliveryMode && (
          <>
            <dt>{t('catalog.item.grantedMode')}</dt>
            <dd>{label('delivery', item.grantedDeliveryMode)}</dd>
          </>
        )}
        {item.refusalCitation && (
          <>
            <dt>{t('catalog.item.refusalBasis')}</dt>
            <dd data-testid="item-refusal">
              {item.refusalCitation}: {item.refusalExplanation}
            </dd>
          </>
        )}
      </dl>
      {item.transitions.length > 0 && (
        <details>
          <summary>{t('catalog.item.history', { n: item.transitions.length })}</summary>
          <ol className="catalog-history">
            {item.transitions.map((tr, i) => (
              <li key={i}>
                {formatTime(tr.at, lang)} · {tr.actorLabel} (
                {t(`role.${tr.role}` as MessageKey) === `role.${tr.role}` ? tr.role : t(`role.${tr.role}` as MessageKey)}) ·{' '}
                {label('state', tr.from)} → {label('state', tr.to)}
                {tr.comment ? ` · ${tr.comment}` : ''}
              </li>
            ))}
          </ol>
        </details>
      )}
    </div>
  )
}
