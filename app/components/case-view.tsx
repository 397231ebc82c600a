import { Link } from '@remix-run/react'
import { useState, type FormEvent } from 'react'
import type { CaseDetail, CaseSummary, QueueDeadlines } from '#app/domain.server.ts'
import { useErrorMessage } from '#app/forms/error-message.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { useCsrfToken } from '#app/components/form.tsx'
import { CSRF_HEADER } from '#platform/csrf/csrf-names.ts'
import type { MessageKey } from '#app/i18n/messages.ts'

// The pages of rectification cases (ADR 0028): one table and one case view for the bureau, the operator, a partner's
// administrator and a source unit; each page says where its rows link.

type Serialized<T> = { [K in keyof T]: T[K] }

export function CaseTable({ cases, linkOf }: { cases: Serialized<CaseSummary>[]; linkOf?: (code: string) => string }) {
  const t = useT()
  const lang = useLang()
  if (cases.length === 0) return <p className="muted">{t('cases.none')}</p>
  return (
    <table data-testid="cases-table">
      <thead>
        <tr>
          <th>{t('cases.col.code')}</th>
          <th>{t('cases.col.state')}</th>
          <th>{t('cases.col.target')}</th>
          <th>{t('cases.col.rule')}</th>
          <th>{t('cases.col.deadline')}</th>
          <th>{t('cases.col.reporter')}</th>
          <th>{t('cases.col.reported')}</th>
        </tr>
      </thead>
      <tbody>
        {cases.map((c) => (
          <tr key={c.code} data-testid={`case-${c.code}`}>
            <td>{linkOf ? <Link to={linkOf(c.code)}>{c.code}</Link> : <code>{c.code}</code>}</td>
            <td>
              <CaseState state={c.state} />
            </td>
            <td>
              {c.targetKind ? t(`cases.target.${c.targetKind}`) : '—'} {c.targetCode && <code>{c.targetCode}</code>}
            </td>
            <td>{c.ruleBreached ?? '—'}</td>
            <td>
              {c.deadlineOn ?? '—'}{' '}
              {c.isOverdue && (
                <span className="badge bad" data-testid="overdue">
                  {t('cases.overdue')}
                </span>
              )}
            </td>
            <td>{c.regulatorName ?? c.reporterName ?? t(`cases.reporter.${c.reporterKind}`)}</td>
            <td>{formatTime(c.createdAt, lang)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

export function CaseState({ state }: { state: CaseSummary['state'] }) {
  const t = useT()
  const tone = state === 'closed' ? 'ok' : state === 'escalated' || state === 'terminated' ? 'bad' : 'warn'
  return (
    <span className={`badge ${tone}`} data-testid="case-state">
      {t(`cases.state.${state}`)}
    </span>
  )
}

const EVENT_KEYS: Record<string, MessageKey> = {
  reported: 'cases.event.reported',
  opened: 'cases.event.opened',
  authorization_suspended: 'cases.event.authorization_suspended',
  authorization_resumed: 'cases.event.authorization_resumed',
  evidence_submitted: 'cases.event.evidence_submitted',
  closed: 'cases.event.closed',
  dismissed: 'cases.event.dismissed',
  escalated: 'cases.event.escalated',
  terminated: 'cases.event.terminated',
}

/** A case's facts, its evidence (downloads at `evidenceHref`) and its timeline. */
export function CaseFacts({ detail, evidenceHref }: { detail: Serialized<CaseDetail>; evidenceHref: (id: string) => string }) {
  const t = useT()
  const lang = useLang()
  const c = detail.case
  return (
    <>
      <h1>
        {t('cases.title')} <code data-testid="case-code">{c.code}</code> <CaseState state={c.state} />
      </h1>
      <dl className="facts">
        <dt>{t('cases.col.reporter')}</dt>
        <dd>{c.regulatorName ?? c.reporterName ?? t(`cases.reporter.${c.reporterKind}`)}</dd>
        <dt>{t('cases.detail.report')}</dt>
        <dd>{c.report}</dd>
        {c.targetKind && (
          <>
            <dt>{t('cases.col.target')}</dt>
            <dd>
              {t(`cases.target.${c.targetKind}`)} {c.targetCode && <code>{c.targetCode}</code>}
            </dd>
          </>
        )}
        {c.finding && (
          <>
            <dt>{t('cases.detail.finding')}</dt>
            <dd>{c.finding}</dd>
            <dt>{t('cases.detail.rule')}</dt>
            <dd>{c.ruleBreached}</dd>
            <dt>{t('cases.detail.deadline')}</dt>
            <dd data-testid="case-deadline">
              {c.deadlineOn} {c.isOverdue && <span className="badge bad">{t('cases.overdue')}</span>}
            </dd>
          </>
        )}
        {c.resolution && (
          <>
            <dt>{t('cases.detail.resolution')}</dt>
            <dd>{c.resolution}</dd>
          </>
        )}
      </dl>
      <h2>{t('cases.detail.evidence')}</h2>
      {detail.evidence.length === 0 ? (
        <p className="muted">{t('cases.detail.noEvidence')}</p>
      ) : (
        <ul data-testid="evidence-list">
          {detail.evidence.map((e) => (
            <li key={e.id}>
              <a href={evidenceHref(e.id)} download data-testid="evidence-download">
                {e.fileName}
              </a>{' '}
              <span className="muted">
                {e.mediaType} · {Math.ceil(e.bytes / 1024)} KiB · {e.uploadedByLabel} · {formatTime(e.createdAt, lang)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <h2>{t('cases.detail.timeline')}</h2>
      <ol data-testid="case-timeline">
        {detail.events.map((e) => (
          <li key={e.id} data-testid={`event-${e.kind}`}>
            {formatTime(e.at, lang)} · {EVENT_KEYS[e.kind] ? t(EVENT_KEYS[e.kind]!) : e.kind} · {e.actorLabel}
            {e.note ? ` — ${e.note}` : ''}
          </li>
        ))}
      </ol>
    </>
  )
}

type UploadState = { phase: 'idle' } | { phase: 'uploading' } | { phase: 'done' } | { phase: 'error'; code: string }

/** The party's evidence upload: the file as the raw body with the CSRF token in a header (as the dataset upload). */
export function EvidenceUpload({ code, onDone }: { code: string; onDone: () => void }) {
  const t = useT()
  const text = useErrorMessage('cases')
  const csrfToken = useCsrfToken()
  const [state, setState] = useState<UploadState>({ phase: 'idle' })
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const input = event.currentTarget.elements.namedItem('file') as HTMLInputElement | null
    const file = input?.files?.[0]
    if (!file) return setState({ phase: 'error', code: 'file_required' })
    setState({ phase: 'uploading' })
    try {
      const res = await fetch(`/cases/${encodeURIComponent(code)}/evidence`, {
        method: 'POST',
        headers: {
          'content-type': 'application/octet-stream',
          [CSRF_HEADER]: csrfToken ?? '',
          'x-file-name': encodeURIComponent(file.name),
        },
        body: file,
      })
      const body = (await res.json().catch(() => ({}))) as { error?: string }
      if (!res.ok) return setState({ phase: 'error', code: body.error ?? 'upload_interrupted' })
      setState({ phase: 'done' })
      onDone()
    } catch {
      setState({ phase: 'error', code: 'upload_interrupted' })
    }
  }
  return (
    <form onSubmit={onSubmit} className="stack" data-testid="evidence-form">
      <h2>{t('cases.evidence.title')}</h2>
      <label>
        {t('cases.evidence.file')}
        <input type="file" name="file" accept="application/pdf,image/png,image/jpeg" data-testid="evidence-file" />
      </label>
      <button type="submit" className="primary" disabled={state.phase === 'uploading'} data-testid="evidence-submit">
        {t(state.phase === 'uploading' ? 'cases.evidence.uploading' : 'cases.evidence.submit')}
      </button>
      {state.phase === 'done' && (
        <p className="notice" role="status" data-testid="evidence-done">
          {t('cases.evidence.done')}
        </p>
      )}
      {state.phase === 'error' && (
        <p className="field-error" role="alert" data-testid="evidence-error">
          {text(state.code)}
        </p>
      )}
    </form>
  )
}

/** Art. 29 on a dashboard: the owner's queue with its overdue items flagged, and (bureau) cases past their deadline. */
export function QueueDeadlinesPanel({ queue, kind }: { queue: Serialized<QueueDeadlines>; kind: 'bureau' | 'sourceUnit' }) {
  const t = useT()
  const lang = useLang()
  const overdue = queue.overdue.length
  return (
    <div className="panel" style={{ marginTop: '1rem' }} data-testid="queue-deadlines">
      <h2>{t('cases.queue.title')}</h2>
      <p>
        <span className={`badge ${overdue > 0 ? 'bad' : 'ok'}`} data-testid="queue-overdue">
          {overdue}
        </span>{' '}
        {t(kind === 'bureau' ? 'cases.queue.bureau' : 'cases.queue.sourceUnit', {
          waiting: queue.waiting,
          overdue,
          days: queue.deadlineDays,
        })}
      </p>
      {overdue > 0 && (
        <ul data-testid="queue-overdue-items">
          {queue.overdue.slice(0, 20).map((item) => (
            <li key={item.itemId}>
              {t('cases.queue.item', {
                list: item.listCode,
                dataset: item.datasetCode ?? '—',
                description: item.description,
                since: formatTime(item.since, lang),
                due: formatTime(item.dueAt, lang),
              })}
            </li>
          ))}
        </ul>
      )}
      {kind === 'bureau' && (
        <p>
          <Link to="/bureau/cases" data-testid="cases-past-deadline">
            {t('cases.queue.cases', { n: queue.overdueCases })}
          </Link>
        </p>
      )}
    </div>
  )
}
