import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData, useRevalidator, useSearchParams } from '@remix-run/react'
import { useState, type FormEvent } from 'react'
import { useCsrfToken } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { DOCUMENT_MAX_BYTES, DOCUMENT_MAX_FILES, findApplicationByToken } from '#app/domain.server.ts'
import { useErrorMessage } from '#app/forms/error-message.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import type { MessageKey } from '#app/i18n/messages.ts'
import { formatTime } from '#app/lib/format.ts'
import { CSRF_HEADER } from '#platform/csrf/csrf-names.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// The applicant's status page (ADR 0030): the secret token in the path is the only authority; an unknown one is 404.
// A route's meta replaces the root's: the page keeps its title (axe `document-title`).
export const meta: MetaFunction = () => [{ title: '沈阳市公共数据授权运营平台' }, { name: 'robots', content: 'noindex' }]

export async function loader({ params, context }: LoaderFunctionArgs) {
  const view = await findApplicationByToken(context.platform.db, { token: params.token ?? '' })
  if (!view) throw new Response('Not found', { status: 404 })
  return { view, token: params.token ?? '', maxMb: DOCUMENT_MAX_BYTES / 1024 / 1024, maxFiles: DOCUMENT_MAX_FILES }
}

export default function ApplicationStatus() {
  const { view, token, maxMb, maxFiles } = useLoaderData<typeof loader>()
  const t = useT()
  const lang = useLang()
  const [params] = useSearchParams()
  return (
    <div className="panel" style={{ maxWidth: 720 }}>
      <h1>{t('apply.status.title')}</h1>
      {params.get('new') === '1' && (
        <p className="notice" role="status" data-testid="apply-submitted">
          {t('apply.submitted')} · {t('apply.statusLinkHint')}
        </p>
      )}
      <dl className="facts">
        <dt>{t('apply.number')}</dt>
        <dd data-testid="apply-number">{view.number}</dd>
        <dt>{t('apply.name')}</dt>
        <dd>{view.name}</dd>
        <dt>{t('apply.kind')}</dt>
        <dd>{t(`apply.kind.${view.kind}` as MessageKey)}</dd>
        <dt>{t('apply.review.subject')}</dt>
        <dd>{view.uscc ?? view.idNumber}</dd>
        <dt>{t('apply.state')}</dt>
        <dd data-testid="apply-state" data-state={view.state}>
          {t(`apply.state.${view.state}` as MessageKey)}
        </dd>
        <dt>{t('apply.submittedAt')}</dt>
        <dd>{formatTime(view.submittedAt, lang)}</dd>
        {view.decidedAt !== null && (
          <>
            <dt>{t('apply.decidedAt')}</dt>
            <dd>{formatTime(view.decidedAt, lang)}</dd>
          </>
        )}
        {view.reason && (
          <>
            <dt>{t('apply.reason')}</dt>
            <dd data-testid="apply-reason">{view.reason}</dd>
          </>
        )}
      </dl>
      {view.state === 'approved' &&
        (view.invite ? (
          <p className="notice" data-testid="apply-invite">
            {t('apply.invite', { at: formatTime(view.invite.expiresAt, lang) })}{' '}
            <Link to={`/invite/${token}`} data-testid="apply-invite-link">
              {t('apply.invite.set')}
            </Link>
          </p>
        ) : (
          <p className="notice">{t('apply.invite.none')}</p>
        ))}
      <h2>{t('apply.documents')}</h2>
      {view.documents.length === 0 ? (
        <p className="muted">{t('apply.documents.none')}</p>
      ) : (
        <ul data-testid="apply-documents">
          {view.documents.map((d) => (
            <li key={d.id}>
              {d.fileName} · {d.mediaType} · {Math.ceil(d.bytes / 1024)} KiB
            </li>
          ))}
        </ul>
      )}
      {view.canUpload && <DocumentUpload token={token} hint={t('apply.documents.hint', { mb: maxMb, n: maxFiles })} />}
    </div>
  )
}

type UploadState = { phase: 'idle' } | { phase: 'uploading' } | { phase: 'done' } | { phase: 'error'; code: string }

/** The file as the raw body with the CSRF token in a header, as the evidence and dataset uploads (ADR 0028). */
function DocumentUpload({ token, hint }: { token: string; hint: string }) {
  const t = useT()
  const text = useErrorMessage('apply')
  const csrfToken = useCsrfToken()
  const revalidator = useRevalidator()
  const [state, setState] = useState<UploadState>({ phase: 'idle' })
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const input = event.currentTarget.elements.namedItem('file') as HTMLInputElement | null
    const file = input?.files?.[0]
    if (!file) return setState({ phase: 'error', code: 'file_required' })
    setState({ phase: 'uploading' })
    try {
      const res = await fetch(`/apply/status/${token}/documents`, {
        method: 'POST',
        headers: {
          'content-type': 'application/octet-stream',
          [CSRF_HEADER]: csrfToken,
          'x-file-name': encodeURIComponent(file.name),
        },
        body: file,
      })
      const body = (await res.json().catch(() => ({}))) as { error?: string }
      if (!res.ok) return setState({ phase: 'error', code: body.error ?? 'upload_interrupted' })
      setState({ phase: 'done' })
      revalidator.revalidate()
    } catch {
      setState({ phase: 'error', code: 'upload_interrupted' })
    }
  }
  return (
    <form onSubmit={onSubmit} className="stack" data-testid="document-form">
      <label>
        {t('apply.documents.file')}
        <input type="file" name="file" accept="application/pdf,image/png,image/jpeg" data-testid="document-file" />
        <span className="muted catalog-hint">{hint}</span>
      </label>
      <button type="submit" className="primary" disabled={state.phase === 'uploading'} data-testid="document-submit">
        {t(state.phase === 'uploading' ? 'apply.documents.uploading' : 'apply.documents.upload')}
      </button>
      {state.phase === 'done' && (
        <p className="notice" role="status" data-testid="document-done">
          {t('apply.documents.done')}
        </p>
      )}
      {state.phase === 'error' && (
        <p className="field-error" role="alert" data-testid="document-error">
          {text(state.code)}
        </p>
      )}
    </form>
  )
}
