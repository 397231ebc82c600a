import { useState, type FormEvent } from 'react'
import { useNavigation } from '@remix-run/react'
import { Form, useCsrfToken } from '#app/components/form.tsx'
import { Field, FormError, replyFor } from '#app/forms/field.tsx'
import type { FormReply } from '#app/forms/action-reply.server.ts'
import { useErrorMessage } from '#app/forms/error-message.ts'
import type { MessageKey } from '#app/i18n/messages.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { CSRF_HEADER } from '#platform/csrf/csrf-names.ts'
import type { SubjectDetail } from '#evaluation/find-evaluations.ts'

// The evaluation pages' shared parts (ADR 0034): a subject's result, its self-assessment form and the evidence upload.

type Detail = Omit<SubjectDetail, never>

export const points = (hundredths: number | null) =>
  hundredths === null ? '—' : `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`

function figureText(value: number | null, unit: string) {
  if (value === null) return '—'
  return unit === 'percent' ? `${value}%` : String(value)
}

/** The measured figures of a subject as a table. */
export function MeasuredFigures({ detail }: { detail: Detail }) {
  const t = useT()
  const published = detail.subject.state === 'published'
  return (
    <>
      <h3>{t(published ? 'evaluation.measured.published' : 'evaluation.measured', { period: detail.evaluation.period })}</h3>
      <table data-testid="evaluation-measured">
        <tbody>
          {detail.measured.map((f) => (
            <tr key={f.key} data-testid={`measure-${f.key}`}>
              <td>{t(`evaluation.measure.${f.key}` as MessageKey)}</td>
              <td className="num">{figureText(f.value, f.unit)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}

/** A subject's result: total, pass or fail, per-criterion scores and comments, the incentive basis, evidence. */
export function SubjectResult({ detail, evidenceHref }: { detail: Detail; evidenceHref: (id: string) => string }) {
  const t = useT()
  const lang = useLang()
  const s = detail.subject
  const published = s.state === 'published'
  return (
    <section className="panel" data-testid={`evaluation-subject-${s.id}`} style={{ marginTop: '1rem' }}>
      <h2>
        {detail.evaluation.title} <code>{detail.evaluation.code}</code>
      </h2>
      <p>
        {t('evaluation.period')} {detail.evaluation.period} · {t('evaluation.deadline')} {detail.evaluation.deadlineOn} ·{' '}
        <span data-testid="evaluation-state">{t(`evaluation.state.${s.state}` as MessageKey)}</span>
      </p>
      {s.totalHundredths !== null && (
        <p data-testid="evaluation-result">
          {t('evaluation.total')} <strong data-testid="evaluation-total">{points(s.totalHundredths)}</strong> ·{' '}
          <span className={`badge ${s.passed ? 'ok' : 'bad'}`} data-testid="evaluation-passed">
            {t(s.passed ? 'evaluation.pass' : 'evaluation.fail')}
          </span>
          {s.exit && (
            <span className="muted" data-testid="evaluation-exit">
              {' '}
              · {t('evaluation.exit', { state: t(`exit.state.${s.exit.state}` as MessageKey), exitOn: s.exit.exitOn })}
            </span>
          )}
        </p>
      )}
      {detail.scores && Object.keys(detail.scores).length > 0 && (
        <table data-testid="evaluation-scores">
          <thead>
            <tr>
              <th>{t('evaluation.criterion')}</th>
              <th>{t('evaluation.weight')}</th>
              <th>{t('evaluation.score')}</th>
              <th>{t('evaluation.comment')}</th>
            </tr>
          </thead>
          <tbody>
            {detail.scheme.criteria.map((c) => (
              <tr key={c.key}>
                <td>{lang === 'zh' ? c.nameZh : c.nameEn}</td>
                <td className="num">{c.weight}%</td>
                <td className="num">{detail.scores?.[c.key]?.score ?? '—'}</td>
                <td>{detail.scores?.[c.key]?.comment ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {detail.bureauComment && <p data-testid="evaluation-comment">{detail.bureauComment}</p>}
      {detail.incentiveBasis && published && (
        <>
          <h3>{t('evaluation.incentive')}</h3>
          <ul data-testid="evaluation-incentive">
            {detail.incentiveBasis.map((d) => (
              <li key={d.dimension}>
                {t(`evaluation.incentive.${d.dimension}` as MessageKey)}:{' '}
                {d.figures
                  .map((f) => `${t(`evaluation.measure.${f.key}` as MessageKey)} ${figureText(f.value, f.unit)}`)
                  .join(t('common.listSeparator'))}
              </li>
            ))}
          </ul>
        </>
      )}
      {detail.measured.length > 0 && <MeasuredFigures detail={detail} />}
      {detail.selfAssessment && (
        <>
          <h3>{t('evaluation.selfAssessment')}</h3>
          {Object.keys(detail.selfAssessment).length === 0 ? (
            <p className="muted">{t('evaluation.selfAssessment.none')}</p>
          ) : (
            <dl data-testid="evaluation-self-assessment">
              {detail.scheme.criteria.map((c) => (
                <div key={c.key}>
                  <dt>{lang === 'zh' ? c.nameZh : c.nameEn}</dt>
                  <dd style={{ whiteSpace: 'pre-wrap' }}>{detail.selfAssessment?.[c.key] ?? ''}</dd>
                </div>
              ))}
            </dl>
          )}
        </>
      )}
      {detail.evidence && detail.evidence.length > 0 && (
        <>
          <h3>{t('evaluation.evidence')}</h3>
          <ul data-testid="evaluation-evidence">
            {detail.evidence.map((e) => (
              <li key={e.id}>
                <a href={evidenceHref(e.id)} download>
                  {e.fileName}
                </a>{' '}
                <span className="muted">({Math.ceil(e.bytes / 1024)} KB)</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  )
}

/** The subject's own self-assessment form: a text per criterion, until the deadline. */
export function SelfAssessmentForm({ detail, reply }: { detail: Detail; reply: FormReply | null }) {
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const mine = replyFor(reply, `selfAssess:${detail.subject.id}`)
  return (
    <Form method="post" noValidate data-testid="self-assessment-form">
      <input type="hidden" name="intent" value="selfAssess" />
      <input type="hidden" name="subjectId" value={detail.subject.id} />
      {detail.scheme.criteria.map((c) => (
        <Field
          key={c.key}
          label={`${lang === 'zh' ? c.nameZh : c.nameEn}${t('common.parenthesized', { text: `${c.weight}%` })}`}
          error={mine?.fields[c.key]}
          area="evaluation"
        >
          <textarea name={`text.${c.key}`} maxLength={4000} rows={3} defaultValue={detail.selfAssessment?.[c.key] ?? ''} />
        </Field>
      ))}
      <FormError code={mine?.formError} area="evaluation" />
      <button type="submit" className="primary" disabled={busy} data-testid="self-assessment-submit">
        {t('evaluation.selfAssessment.submit')}
      </button>
    </Form>
  )
}

type UploadState = { phase: 'idle' | 'uploading' | 'done' } | { phase: 'error'; code: string }

/** The evidence upload: the file as the raw body, the CSRF token in a header (as the rectification evidence). */
export function EvaluationEvidenceUpload({ subjectId, onDone }: { subjectId: string; onDone: () => void }) {
  const t = useT()
  const text = useErrorMessage('evaluation')
  const csrfToken = useCsrfToken()
  const [state, setState] = useState<UploadState>({ phase: 'idle' })
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const input = event.currentTarget.elements.namedItem('file') as HTMLInputElement | null
    const file = input?.files?.[0]
    if (!file) return setState({ phase: 'error', code: 'file_required' })
    setState({ phase: 'uploading' })
    try {
      const res = await fetch(`/evaluations/subjects/${encodeURIComponent(subjectId)}/evidence`, {
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
    <form onSubmit={onSubmit} className="stack" data-testid="evaluation-evidence-form">
      <h3>{t('evaluation.upload.title')}</h3>
      <label>
        {t('evaluation.upload.file')}
        <input type="file" name="file" accept="application/pdf,image/png,image/jpeg" data-testid="evaluation-evidence-file" />
      </label>
      <button type="submit" disabled={state.phase === 'uploading'} data-testid="evaluation-evidence-submit">
        {t(state.phase === 'uploading' ? 'evaluation.upload.uploading' : 'evaluation.upload.submit')}
      </button>
      {state.phase === 'done' && (
        <p className="notice" role="status" data-testid="evaluation-evidence-done">
          {t('evaluation.upload.done')}
        </p>
      )}
      {state.phase === 'error' && (
        <p className="field-error" role="alert" data-testid="evaluation-evidence-error">
          {text(state.code)}
        </p>
      )}
    </form>
  )
}
