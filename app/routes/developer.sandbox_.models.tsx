import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useRevalidator } from '@remix-run/react'
import { useState } from 'react'
import { z } from 'zod'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { ModelSummary } from '#app/components/sandbox-model-summary.tsx'
import { listPartnerModels, requestModelRelease } from '#app/domain.server.ts'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { ConfirmButton, FormError, replyFor } from '#app/forms/field.tsx'
import { useErrorMessage } from '#app/forms/error-message.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// The developer's sandbox models (issue 13, ADR 0044): training and the one download go through the metered API with
// a key the developer pastes (held in this page's memory only), so they are metered like any call; the page lists the
// partner's models with their measures and checks, and asks for a release (the reversibility checks decide first).

const ROLES = ['partner_developer', 'partner_admin'] as const

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ROLES)
  return { models: await listPartnerModels(context.platform.db, { actor }) }
}

const requestSchema = z.object({ modelId: z.string().min(1).max(64) })

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ROLES)
  const form = Object.fromEntries(await readForm(request, context))
  const target = typeof form.modelId === 'string' ? `request:${form.modelId}` : null
  const parsed = requestSchema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const requested = await requestModelRelease(context.platform.db, { actor, modelId: parsed.data.modelId, now: Date.now() })
  if (!requested.ok) return failedForm(requested.error, { target })
  return { target, fields: {}, formError: null, requested: requested.value.state }
}

const EXAMPLE = JSON.stringify(
  {
    kind: 'logistic_regression',
    from: 'DS-SCJG-0001',
    join: [{ dataset: 'DS-SW-0001', on: 'uscc' }],
    features: ['DS-SCJG-0001.registered_capital_wan', 'DS-SCJG-0001.industry', 'DS-SCJG-0001.status'],
    label: { field: 'DS-SW-0001.rating', positive: ['C', 'D'] },
  },
  null,
  2,
)

interface Failure {
  code: string
  message: string
}

export default function DeveloperSandboxModels() {
  const { models } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply & { requested?: string }>()
  const t = useT()
  const lang = useLang()
  const text = useErrorMessage('sandbox')
  const busy = useNavigation().state !== 'idle'
  const revalidator = useRevalidator()
  const [key, setKey] = useState('')
  const [spec, setSpec] = useState(EXAMPLE)
  const [training, setTraining] = useState(false)
  const [trained, setTrained] = useState<string | null>(null)
  const [failure, setFailure] = useState<Failure | null>(null)
  const [downloadFailure, setDownloadFailure] = useState<(Failure & { id: string }) | null>(null)
  const [downloaded, setDownloaded] = useState<string | null>(null)

  const errorOf = async (res: Response): Promise<Failure> => {
    const body = (await res.json().catch(() => null)) as { error?: Failure } | null
    return body?.error ?? { code: 'internal_error', message: res.statusText }
  }

  async function train(event: React.FormEvent) {
    event.preventDefault()
    setFailure(null)
    setTrained(null)
    if (key.trim() === '') return setFailure({ code: 'missing_key', message: '' })
    let body: unknown
    try {
      body = JSON.parse(spec)
    } catch {
      return setFailure({ code: 'validation_failed', message: 'JSON' })
    }
    setTraining(true)
    try {
      const res = await fetch('/api/v1/sandbox/models', {
        method: 'POST',
        headers: { authorization: `Bearer ${key.trim()}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      if (res.ok) setTrained(((await res.json()) as { id: string }).id)
      else setFailure(await errorOf(res))
      revalidator.revalidate()
    } catch {
      setFailure({ code: 'network', message: '' })
    } finally {
      setTraining(false)
    }
  }

  async function download(id: string) {
    setDownloadFailure(null)
    setDownloaded(null)
    if (key.trim() === '') return setDownloadFailure({ id, code: 'missing_key', message: '' })
    if (!window.confirm(t('models.downloadConfirm'))) return
    try {
      const res = await fetch(`/api/v1/sandbox/models/${encodeURIComponent(id)}/artifact`, {
        headers: { authorization: `Bearer ${key.trim()}` },
      })
      if (!res.ok) return setDownloadFailure({ id, ...(await errorOf(res)) })
      const url = URL.createObjectURL(await res.blob())
      const a = document.createElement('a')
      a.href = url
      a.download = `model-${id}.json`
      document.body.appendChild(a)
      a.click()
      a.remove()
      setTimeout(() => URL.revokeObjectURL(url), 60_000)
      setDownloaded(id)
      revalidator.revalidate()
    } catch {
      setDownloadFailure({ id, code: 'network', message: '' })
    }
  }

  const failureText = (f: Failure) => (f.code === 'missing_key' ? t('models.keyNeeded') : `${text(f.code)} ${f.message}`)

  return (
    <>
      <h1>{t('models.title')}</h1>
      <p className="lead">{t('models.intro')}</p>
      <form onSubmit={train} className="panel" aria-label={t('models.train')}>
        <label>
          {t('models.key')}
          <input
            type="password"
            autoComplete="off"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            data-testid="model-key"
          />
        </label>
        <label>
          {t('models.spec')}
          <textarea rows={12} value={spec} onChange={(e) => setSpec(e.target.value)} data-testid="model-spec" />
        </label>
        <p className="muted">{t('models.specHelp')}</p>
        {failure ? (
          <p className="field-error" role="alert" data-testid="model-train-error">
            {failureText(failure)}
          </p>
        ) : null}
        {trained ? (
          <p className="notice" role="status" data-testid="model-trained">
            {t('models.trained', { id: trained })}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={training} data-testid="model-train">
          {training ? t('models.training') : t('models.train')}
        </button>
      </form>

      <h2>{t('models.list')}</h2>
      {data?.requested ? (
        <p className="notice" role="status" data-testid="model-requested">
          {t('models.requested')} {t(`models.state.${data.requested as 'trained'}`)}
        </p>
      ) : null}
      {models.length === 0 ? <p className="muted">{t('models.none')}</p> : null}
      {models.map((m) => {
        const reply = replyFor(data, `request:${m.id}`)
        return (
          <section key={m.id} className="panel" data-testid={`model-${m.id}`} aria-labelledby={`model-h-${m.id}`}>
            <h3 id={`model-h-${m.id}`}>
              <code>{m.id.slice(0, 8)}</code> · {formatTime(m.trainedAt, lang)}{' '}
              <span
                className={`badge ${m.state === 'released' ? 'ok' : m.state === 'refused' || m.state === 'rejected' ? 'bad' : ''}`}
                data-testid="model-state"
              >
                {t(`models.state.${m.state}`)}
              </span>
            </h3>
            <ModelSummary model={m} />
            {m.rejectedReason ? <p>{t('models.rejected', { reason: m.rejectedReason })}</p> : null}
            {m.state === 'trained' ? (
              <Form method="post" noValidate>
                <input type="hidden" name="modelId" value={m.id} />
                <FormError code={reply?.formError} area="sandbox" />
                <ConfirmButton disabled={busy} question={t('models.requestConfirm')} data-testid="model-request">
                  {t('models.request')}
                </ConfirmButton>
              </Form>
            ) : null}
            {m.state === 'released' && m.downloadedAt === null ? (
              <button type="button" className="primary" onClick={() => download(m.id)} data-testid="model-download">
                {t('models.download')}
              </button>
            ) : null}
            {m.downloadedAt !== null ? (
              <p className="muted">{t('models.downloadedAt', { time: formatTime(m.downloadedAt, lang) })}</p>
            ) : null}
            {downloaded === m.id ? (
              <p className="notice" role="status" data-testid="model-downloaded">
                {t('models.downloaded')}
              </p>
            ) : null}
            {downloadFailure?.id === m.id ? (
              <p className="field-error" role="alert" data-testid="model-download-error">
                {failureText(downloadFailure)}
              </p>
            ) : null}
          </section>
        )
      })}
    </>
  )
}
