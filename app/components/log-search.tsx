import { Link } from '@remix-run/react'
import type { LogFilter, LogKind, LogPage } from '#app/domain.server.ts'
import { FieldError } from '#app/forms/field.tsx'
import { errorMessage } from '#app/forms/error-message.ts'
import { messages, type MessageKey } from '#app/i18n/messages.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'

const KINDS: LogKind[] = ['usage', 'refusals', 'audit', 'loads', 'exports']
const FILTERS: Record<LogKind, readonly LogFilter[]> = {
  usage: ['partner', 'product', 'dataset', 'sourceUnit', 'requestId'],
  refusals: ['partner', 'requestId', 'text'],
  audit: ['partner', 'product', 'dataset', 'sourceUnit', 'requestId', 'text'],
  loads: ['dataset', 'sourceUnit'],
  exports: ['partner', 'product'],
}

interface Option {
  code: string
  name: string
}

export interface LogSearchData {
  input: Record<string, string>
  options: { partners: Option[]; products: Option[]; datasets: Option[]; sourceUnits: Option[] }
  page: (Omit<LogPage, 'rows'> & { rows: LogPage['rows'] }) | null
  problem: { code: string; fields: Record<string, string> } | null
  chain:
    | { ok: true; entries: number; lastSeq: number }
    | { ok: false; entries: number; firstBadSeq: number; problem: 'altered' | 'missing' | 'broken_link'; message: string }
    | null
}

const has = (key: string): key is MessageKey => key in messages.zh

/**
 * The one log search of the auditor's and the bureau's pages: a GET form (a search changes nothing, and its URL can
 * be shared), the page of rows with names instead of keys, the next page by cursor, the CSV export of the same search
 * and the audit-chain check. `fixedKind`: the bureau's audit trail, one log only.
 */
export function LogSearch({ data, action, fixedKind }: { data: LogSearchData; action: string; fixedKind?: LogKind }) {
  const t = useT()
  const lang = useLang()
  const kind = (fixedKind ?? (KINDS.includes(data.input.kind as LogKind) ? data.input.kind : 'usage')) as LogKind
  const fields = data.problem?.fields ?? {}
  const applicable = FILTERS[kind]
  const params = new URLSearchParams(Object.entries(data.input).filter(([k]) => k !== 'kind' || !fixedKind))
  const exportParams = new URLSearchParams(data.input)
  exportParams.set('kind', kind)
  const select = (name: 'partner' | 'product' | 'dataset' | 'sourceUnit', options: Option[], label: MessageKey) =>
    applicable.includes(name) ? (
      <label key={name}>
        {t(label)}
        <select name={name} defaultValue={data.input[name] ?? ''}>
          <option value="">{t('logs.any')}</option>
          {options.map((o) => (
            <option key={o.code} value={o.code}>
              {o.name}
            </option>
          ))}
        </select>
        <FieldError code={fields[name]} area="auth" />
      </label>
    ) : null
  const eventLabel = (event: string) => {
    if (kind === 'audit' && has(`logs.action.${event}`)) return t(`logs.action.${event}` as MessageKey)
    return event
  }
  const objectLabel = (object: string) => {
    const [type, ...rest] = object.split(' ')
    return type && has(`logs.object.${type}`) ? `${t(`logs.object.${type}` as MessageKey)} ${rest.join(' ')}` : object
  }
  const detailLabel = (detail: string) =>
    kind === 'refusals' && detail ? `${errorMessage(lang, detail, { area: 'gateway' })} (${detail})` : detail
  const whoLabel = (actor: string, status: string) =>
    kind === 'audit' && has(`role.${status}`) ? `${actor} · ${t(`role.${status}` as MessageKey)}` : actor

  return (
    <>
      <form method="get" action={action} className="stack" data-testid="log-search-form">
        <div className="inline">
          {fixedKind ? null : (
            <label>
              {t('logs.kind')}
              <select name="kind" defaultValue={kind} data-testid="log-kind">
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t(`logs.kind.${k}`)}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label>
            {t('logs.from')}
            <input type="date" name="from" defaultValue={data.input.from ?? ''} />
            <FieldError code={fields.from} area="auth" />
          </label>
          <label>
            {t('logs.to')}
            <input type="date" name="to" defaultValue={data.input.to ?? ''} />
            <FieldError code={fields.to} area="auth" />
          </label>
          {select('partner', data.options.partners, 'logs.partner')}
          {select('product', data.options.products, 'logs.product')}
          {select('dataset', data.options.datasets, 'logs.dataset')}
          {select('sourceUnit', data.options.sourceUnits, 'logs.sourceUnit')}
          {applicable.includes('requestId') ? (
            <label>
              {t('logs.requestId')}
              <input name="requestId" defaultValue={data.input.requestId ?? ''} maxLength={64} />
              <FieldError code={fields.requestId} area="auth" />
            </label>
          ) : null}
          {applicable.includes('text') ? (
            <label>
              {t('logs.text')}
              <input name="text" defaultValue={data.input.text ?? ''} maxLength={100} />
              <FieldError code={fields.text} area="auth" />
            </label>
          ) : null}
          <button type="submit" className="primary" data-testid="log-search">
            {t('logs.search')}
          </button>
        </div>
      </form>
      <p className="inline">
        <a href={`/audit/logs/export?${exportParams}`} download data-testid="log-export">
          {t('logs.export')}
        </a>
        <Link to={`${action}?${new URLSearchParams({ ...Object.fromEntries(params), verify: '1' })}`} data-testid="log-verify">
          {t('logs.verify')}
        </Link>
      </p>
      {data.chain ? (
        <p data-testid="audit-chain">
          {data.chain.ok ? (
            <span className="badge ok">{t('logs.chainOk', { n: data.chain.entries, seq: data.chain.lastSeq })}</span>
          ) : (
            <span className="badge bad">
              {t('logs.chainBroken', { seq: data.chain.firstBadSeq, problem: t(`logs.problem.${data.chain.problem}`) })}
            </span>
          )}
        </p>
      ) : null}
      {data.problem && !data.problem.fields.cursor ? null : data.problem ? (
        <p className="notice">{t('logs.error.invalid_cursor')}</p>
      ) : null}
      {data.page && data.page.rows.length === 0 ? <p className="muted">{t('logs.none')}</p> : null}
      {data.page && data.page.rows.length > 0 ? (
        <table data-testid="log-rows">
          <thead>
            <tr>
              <th>{t('logs.col.time')}</th>
              <th>{t('logs.col.what')}</th>
              <th>{t('logs.col.who')}</th>
              <th>{t('logs.partner')}</th>
              <th>{t('logs.product')}</th>
              <th>{t('logs.col.lineage')}</th>
              <th>{t('logs.col.object')}</th>
              <th>{t('logs.col.detail')}</th>
              <th>{t('logs.col.requestId')}</th>
            </tr>
          </thead>
          <tbody>
            {data.page.rows.map((r) => (
              <tr key={r.cursor} data-testid="log-row">
                <td>{formatTime(r.at, lang)}</td>
                <td>
                  {eventLabel(r.event)}
                  {kind !== 'audit' && r.status ? <span className="muted"> {r.status}</span> : null}
                </td>
                <td>{whoLabel(r.actor, r.status)}</td>
                <td>{r.partner}</td>
                <td>{r.product}</td>
                <td>{[r.datasets, r.sourceUnits].filter((s) => s !== '').join(' / ')}</td>
                <td>{objectLabel(r.object)}</td>
                <td>{detailLabel(r.detail)}</td>
                <td>{r.requestId ? <code>{r.requestId}</code> : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p className="inline">
        {data.page?.continued ? <Link to={`${action}?${params}`}>{t('logs.first')}</Link> : null}
        {data.page?.nextCursor ? (
          <Link
            to={`${action}?${new URLSearchParams({ ...Object.fromEntries(params), cursor: data.page.nextCursor })}`}
            data-testid="log-next"
          >
            {t('logs.next')}
          </Link>
        ) : null}
      </p>
    </>
  )
}
