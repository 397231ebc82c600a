import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { Link, redirect, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import {
  findEvaluation,
  findEvaluationSubject,
  formatDay,
  publishEvaluationResult,
  scoreEvaluationSubject,
  startAssessmentExit,
} from '#app/domain.server.ts'
import { SubjectResult, points } from '#app/components/evaluation-view.tsx'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { ConfirmButton, Field, FormError, replyFor } from '#app/forms/field.tsx'
import type { MessageKey } from '#app/i18n/messages.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor, requireUser } from '#app/session.server.ts'

// One evaluation (ADR 0034): its subjects; the chosen subject's self-assessment, evidence and measured figures; the
// bureau's scores; publication (a failing partner's assessment exit follows).
// The form's intents: z.literal('score'), z.literal('publish'), z.literal('exit').
export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ['bureau'])
  const actor = { id: user.id, label: user.username, role: user.role }
  const { db } = context.platform
  const found = await findEvaluation(db, { actor, code: params.code ?? '' })
  if (!found) throw new Response('Not found', { status: 404 })
  const subjectId = new URL(request.url).searchParams.get('subject')
  const detail = subjectId ? await findEvaluationSubject(db, { actor, subjectId }) : null
  if (subjectId && (!detail || detail.evaluation.code !== found.evaluation.code)) throw new Response('Not found', { status: 404 })
  return { ...found, detail }
}

const idSchema = z.string().trim().min(1).max(64)
const actionSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('score'), subjectId: idSchema, comment: z.string().max(2000, 'too_long').optional() }),
  z.object({ intent: z.literal('publish'), subjectId: idSchema }),
  z.object({ intent: z.literal('exit'), subjectId: idSchema }),
])

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  const form = await readForm(request, context)
  const parsed = actionSchema.safeParse(Object.fromEntries(form))
  if (!parsed.success)
    return invalidForm(parsed.error, { target: typeof form.get('intent') === 'string' ? String(form.get('intent')) : null })
  const { db, requestId } = context.platform
  const input = parsed.data
  const back = (query: string) =>
    redirect(
      `/bureau/evaluations/${encodeURIComponent(params.code ?? '')}?subject=${encodeURIComponent(input.subjectId)}&${query}`,
    )
  if (input.intent === 'score') {
    const scores: Record<string, { score: unknown; comment?: unknown }> = {}
    for (const [name, value] of form) {
      if (typeof value !== 'string' || name.length > 60) continue
      const m = /^(score|comment)\.([a-z][a-z0-9_]{0,39})$/.exec(name)
      if (!m) continue
      const entry = (scores[m[2]!] ??= { score: '' })
      if (m[1] === 'score') entry.score = value.trim()
      else entry.comment = value
    }
    const result = await scoreEvaluationSubject(db, {
      actor,
      requestId,
      subjectId: input.subjectId,
      input: { scores, comment: input.comment },
    })
    if (!result.ok) return failedForm(result.error, { target: 'score' })
    return back(`scored=${result.value.totalHundredths}`)
  }
  if (input.intent === 'publish') {
    const result = await publishEvaluationResult(db, { actor, requestId, subjectId: input.subjectId })
    if (!result.ok) return failedForm(result.error, { target: 'publish' })
    const exit = result.value.exit
    return back(exit?.started ? `published=1&exitOn=${formatDay(exit.exitAt)}` : 'published=1')
  }
  const result = await startAssessmentExit(db, { actor, requestId, subjectId: input.subjectId })
  if (!result.ok) return failedForm(result.error, { target: 'exit' })
  return back(`published=1&exitOn=${formatDay(result.value.exitAt)}`)
}

export default function BureauEvaluation() {
  const { evaluation, subjects, detail } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const scoreReply = replyFor(data, 'score')
  const publishReply = replyFor(data, 'publish')
  const exitReply = replyFor(data, 'exit')
  const code = encodeURIComponent(evaluation.code)
  return (
    <>
      <p>
        <Link to="/bureau/evaluations">← {t('evaluation.list')}</Link>
      </p>
      <h1>
        {evaluation.title} <code>{evaluation.code}</code>
      </h1>
      <p className="lead">
        {t('evaluation.period')} {evaluation.period} · {t('evaluation.deadline')} {evaluation.deadlineOn} ·{' '}
        {t('evaluation.progress', { ...evaluation })}
      </p>
      {params.get('opened') && !data && (
        <p className="notice" role="status" data-testid="evaluation-opened">
          {t('evaluation.opened', { code: evaluation.code, n: params.get('opened')! })}
        </p>
      )}
      {params.get('scored') && !data && (
        <p className="notice" role="status" data-testid="evaluation-scored">
          {t('evaluation.scored', { total: points(Number(params.get('scored'))) })}
        </p>
      )}
      {params.get('published') && !data && (
        <p className="notice" role="status" data-testid="evaluation-published">
          {params.get('exitOn') ? t('evaluation.published.exit', { exitOn: params.get('exitOn')! }) : t('evaluation.published')}
        </p>
      )}
      <h2>{t('evaluation.subjects')}</h2>
      <table data-testid="evaluation-subjects">
        <thead>
          <tr>
            <th>{t('evaluation.subject')}</th>
            <th>{t('evaluation.state')}</th>
            <th>{t('evaluation.evidence')}</th>
            <th>{t('evaluation.total')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {subjects.map((s) => (
            <tr key={s.id} data-testid={`subject-${s.code ?? 'operator'}`}>
              <td>
                {t(`evaluation.kind.${s.kind}` as MessageKey)} · {s.name}
              </td>
              <td data-testid="subject-state">{t(`evaluation.state.${s.state}` as MessageKey)}</td>
              <td className="num">{s.evidence}</td>
              <td>
                {points(s.totalHundredths)}
                {s.passed !== null && (
                  <span className={`badge ${s.passed ? 'ok' : 'bad'}`}>
                    {' '}
                    {t(s.passed ? 'evaluation.pass' : 'evaluation.fail')}
                  </span>
                )}
              </td>
              <td>
                <Link to={`/bureau/evaluations/${code}?subject=${s.id}`} data-testid="subject-open">
                  {t('evaluation.view')}
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {detail && (
        <>
          <SubjectResult detail={detail} evidenceHref={(id) => `/bureau/evaluations/evidence/${id}`} />
          {detail.canScore ? (
            <Form method="post" noValidate data-testid="score-form" className="panel">
              <input type="hidden" name="intent" value="score" />
              <input type="hidden" name="subjectId" value={detail.subject.id} />
              {detail.scheme.criteria.map((c) => (
                <fieldset key={c.key}>
                  <legend>
                    {lang === 'zh' ? c.nameZh : c.nameEn}
                    {t('common.parenthesized', { text: `${c.weight}%` })}
                  </legend>
                  <Field label={t('evaluation.score')} error={scoreReply?.fields[`score.${c.key}`]} area="evaluation">
                    <input
                      name={`score.${c.key}`}
                      type="number"
                      min={0}
                      max={100}
                      step={1}
                      defaultValue={detail.scores?.[c.key]?.score ?? ''}
                      data-testid={`score-${c.key}`}
                    />
                  </Field>
                  <Field label={t('evaluation.comment')} error={scoreReply?.fields[`comment.${c.key}`]} area="evaluation">
                    <input name={`comment.${c.key}`} maxLength={2000} defaultValue={detail.scores?.[c.key]?.comment ?? ''} />
                  </Field>
                </fieldset>
              ))}
              <Field label={t('evaluation.overallComment')} error={scoreReply?.fields.comment} area="evaluation">
                <textarea name="comment" maxLength={2000} defaultValue={detail.bureauComment ?? ''} />
              </Field>
              <FormError code={scoreReply?.formError} area="evaluation" />
              <button type="submit" className="primary" disabled={busy} data-testid="score-submit">
                {t('evaluation.score.submit')}
              </button>
            </Form>
          ) : (
            detail.subject.state !== 'published' && <p className="muted">{t('evaluation.scoring.pending')}</p>
          )}
          {detail.subject.state === 'scored' && (
            <Form method="post" data-testid="publish-form">
              <input type="hidden" name="intent" value="publish" />
              <input type="hidden" name="subjectId" value={detail.subject.id} />
              <FormError code={publishReply?.formError} area="evaluation" />
              <ConfirmButton
                question={t('evaluation.publish.confirm')}
                className="primary"
                disabled={busy}
                data-testid="publish-submit"
              >
                {t('evaluation.publish')}
              </ConfirmButton>
            </Form>
          )}
          {detail.subject.kind === 'partner' &&
            detail.subject.state === 'published' &&
            detail.subject.passed === false &&
            !detail.subject.exit && (
              <Form method="post" data-testid="exit-form">
                <p className="muted">{t('evaluation.exit.none')}</p>
                <input type="hidden" name="intent" value="exit" />
                <input type="hidden" name="subjectId" value={detail.subject.id} />
                <FormError code={exitReply?.formError} area="evaluation" />
                <ConfirmButton question={t('evaluation.publish.confirm')} disabled={busy}>
                  {t('evaluation.exit.start')}
                </ConfirmButton>
              </Form>
            )}
        </>
      )}
    </>
  )
}
