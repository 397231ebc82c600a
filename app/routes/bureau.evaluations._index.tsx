import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { Link, redirect, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import {
  createEvaluationScheme,
  DEFAULT_SCHEMES,
  formatDay,
  listEvaluations,
  listEvaluationSchemes,
  openEvaluation,
} from '#app/domain.server.ts'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { failedForm, formError, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { Field, FormError, replyFor } from '#app/forms/field.tsx'
import type { MessageKey } from '#app/i18n/messages.ts'
import { useT } from '#app/i18n/use-t.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor, requireUser } from '#app/session.server.ts'
import type { EvaluationSubjectKind } from '#db/schema/evaluations.ts'

// The bureau's evaluations (Art. 18–20; ADR 0034): open one, the list, and the versioned schemes.
// The form's intents: z.literal('open'), z.literal('scheme').
export { GeneralErrorBoundary as ErrorBoundary }

const KINDS: EvaluationSubjectKind[] = ['source_unit', 'operator', 'partner']

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ['bureau'])
  const actor = { id: user.id, label: user.username, role: user.role }
  const { db } = context.platform
  const schemes = await listEvaluationSchemes(db)
  const current = KINDS.map((kind) => {
    const scheme = schemes.find((s) => s.subjectKind === kind) ?? null
    const source = scheme ?? { passMark: DEFAULT_SCHEMES[kind].passMark, criteria: DEFAULT_SCHEMES[kind].criteria }
    return {
      kind,
      scheme: scheme
        ? { version: scheme.version, passMark: scheme.passMark, by: scheme.createdByLabel, criteria: scheme.criteria }
        : null,
      versions: schemes.filter((s) => s.subjectKind === kind).length,
      // The form starts from the current version (or the default): a change is saved as the next version.
      draft: {
        passMark: source.passMark,
        criteria: source.criteria
          .map((c) => [c.key, c.nameZh, c.nameEn, c.weight, (c.measures ?? []).join(',')].join('|'))
          .join('\n'),
      },
    }
  })
  return { evaluations: await listEvaluations(db, { actor }), current, defaultDeadline: formatDay(Date.now() + 30 * 86_400_000) }
}

const openSchema = z.object({
  intent: z.literal('open'),
  title: z.string().trim().min(2, 'required').max(200, 'too_long'),
  period: z.string().trim().min(4, 'invalid').max(10, 'invalid'),
  deadlineOn: z.string().trim().min(1, 'required').max(10, 'invalid'),
})
const schemeSchema = z.object({
  intent: z.literal('scheme'),
  subjectKind: z.enum(['source_unit', 'operator', 'partner'], { message: 'invalid' }),
  passMark: z.coerce.number({ message: 'invalid' }).int('invalid').min(1, 'invalid').max(100, 'invalid'),
  criteria: z.string().max(5000, 'too_long'),
})

/** `key|nameZh|nameEn|weight|m1,m2` per line; null when a line does not have that shape. */
function parseCriteria(text: string) {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
  const out = []
  for (const line of lines) {
    const parts = line.split('|').map((p) => p.trim())
    if (parts.length < 4 || parts.length > 5 || !/^\d{1,3}$/.test(parts[3]!)) return null
    out.push({
      key: parts[0]!,
      nameZh: parts[1]!,
      nameEn: parts[2]!,
      weight: Number(parts[3]),
      measures: parts[4]
        ? parts[4]
            .split(',')
            .map((m) => m.trim())
            .filter(Boolean)
        : [],
    })
  }
  return out
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  const form = await readForm(request, context)
  const { db } = context.platform
  const intent = form.get('intent')
  if (intent === 'open') {
    const parsed = openSchema.safeParse(Object.fromEntries(form))
    if (!parsed.success) return invalidForm(parsed.error, { target: 'open' })
    const kinds = form.getAll('kinds').filter((k): k is string => typeof k === 'string')
    const result = await openEvaluation(db, { actor, requestId: context.platform.requestId, input: { ...parsed.data, kinds } })
    if (!result.ok) return failedForm(result.error, { target: 'open' })
    return redirect(`/bureau/evaluations/${encodeURIComponent(result.value.code)}?opened=${result.value.subjects}`)
  }
  if (intent === 'scheme') {
    const parsed = schemeSchema.safeParse(Object.fromEntries(form))
    const target = `scheme:${String(form.get('subjectKind') ?? '')}`
    if (!parsed.success) return invalidForm(parsed.error, { target })
    const criteria = parseCriteria(parsed.data.criteria)
    if (!criteria) return formError('malformed_criteria', 400, { target })
    const result = await createEvaluationScheme(db, {
      actor,
      requestId: context.platform.requestId,
      input: { subjectKind: parsed.data.subjectKind, passMark: parsed.data.passMark, criteria },
    })
    if (!result.ok) return failedForm(result.error, { target, shownFields: ['passMark', 'criteria'] })
    return redirect(`/bureau/evaluations?scheme=${result.value.subjectKind}&version=${result.value.version}`)
  }
  return formError('invalid', 400)
}

export default function BureauEvaluations() {
  const { evaluations, current, defaultDeadline } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const busy = useNavigation().state !== 'idle'
  const openReply = replyFor(data, 'open')
  return (
    <>
      <h1>{t('evaluation.title')}</h1>
      <p className="lead">{t('evaluation.intro')}</p>
      {params.get('scheme') && !data && (
        <p className="notice" role="status" data-testid="scheme-saved">
          {t('evaluation.scheme.saved', {
            kind: t(`evaluation.kind.${params.get('scheme')}` as MessageKey),
            version: params.get('version') ?? '',
          })}
        </p>
      )}
      <h2>{t('evaluation.open.title')}</h2>
      <Form method="post" noValidate data-testid="evaluation-open-form">
        <input type="hidden" name="intent" value="open" />
        <Field label={t('evaluation.open.titleField')} error={openReply?.fields.title} area="evaluation">
          <input name="title" maxLength={200} required />
        </Field>
        <Field label={t('evaluation.open.period')} error={openReply?.fields.period} area="evaluation">
          <input name="period" maxLength={10} defaultValue={String(new Date().getUTCFullYear())} required />
        </Field>
        <Field label={t('evaluation.open.deadline')} error={openReply?.fields.deadlineOn} area="evaluation">
          <input name="deadlineOn" type="date" defaultValue={defaultDeadline} required />
        </Field>
        <fieldset>
          <legend>{t('evaluation.open.kinds')}</legend>
          {KINDS.map((k) => (
            <label key={k} className="inline">
              <input type="checkbox" name="kinds" value={k} defaultChecked data-testid={`evaluation-kind-${k}`} />{' '}
              {t(`evaluation.kind.${k}` as MessageKey)}
            </label>
          ))}
          <FormError code={openReply?.fields.kinds} area="evaluation" />
        </fieldset>
        <FormError code={openReply?.formError} area="evaluation" />
        <button type="submit" className="primary" disabled={busy} data-testid="evaluation-open-submit">
          {t('evaluation.open.submit')}
        </button>
      </Form>

      <h2>{t('evaluation.list')}</h2>
      {evaluations.length === 0 ? (
        <p className="muted">{t('evaluation.none')}</p>
      ) : (
        <table data-testid="evaluations">
          <thead>
            <tr>
              <th>{t('evaluation.code')}</th>
              <th>{t('evaluation.open.titleField')}</th>
              <th>{t('evaluation.period')}</th>
              <th>{t('evaluation.deadline')}</th>
              <th>{t('evaluation.state')}</th>
            </tr>
          </thead>
          <tbody>
            {evaluations.map((e) => (
              <tr key={e.id} data-testid={`evaluation-${e.code}`}>
                <td>
                  <Link to={`/bureau/evaluations/${encodeURIComponent(e.code)}`}>{e.code}</Link>
                </td>
                <td>{e.title}</td>
                <td>{e.period}</td>
                <td>{e.deadlineOn}</td>
                <td>
                  {t('evaluation.progress', {
                    submitted: e.submitted,
                    scored: e.scored,
                    published: e.published,
                    subjects: e.subjects,
                  })}
                  {e.failed > 0 && <span className="badge bad"> {t('evaluation.failedCount', { n: e.failed })}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>{t('evaluation.schemes')}</h2>
      <p className="muted">{t('evaluation.schemes.intro')}</p>
      {current.map((c) => {
        const reply = replyFor(data, `scheme:${c.kind}`)
        return (
          <section key={c.kind} className="panel" data-testid={`scheme-${c.kind}`} style={{ marginTop: '1rem' }}>
            <h3>{t(`evaluation.kind.${c.kind}` as MessageKey)}</h3>
            {c.scheme ? (
              <>
                <p>
                  {t('evaluation.scheme.version', { version: c.scheme.version, passMark: c.scheme.passMark, by: c.scheme.by })}
                </p>
                <table>
                  <tbody>
                    {c.scheme.criteria.map((cr) => (
                      <tr key={cr.key}>
                        <td>
                          <code>{cr.key}</code> {cr.nameZh} / {cr.nameEn}
                        </td>
                        <td className="num">{cr.weight}%</td>
                        <td className="muted">{cr.measures.join(', ')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            ) : (
              <p className="muted">{t('evaluation.scheme.none')}</p>
            )}
            <Form method="post" noValidate>
              <input type="hidden" name="intent" value="scheme" />
              <input type="hidden" name="subjectKind" value={c.kind} />
              <Field label={t('evaluation.scheme.passMark')} error={reply?.fields.passMark} area="evaluation">
                <input name="passMark" type="number" min={1} max={100} defaultValue={c.draft.passMark} />
              </Field>
              <Field label={t('evaluation.scheme.criteria')} error={reply?.fields.criteria} area="evaluation">
                <textarea name="criteria" rows={6} maxLength={5000} defaultValue={c.draft.criteria} />
              </Field>
              <FormError code={reply?.formError ?? reply?.fields.weights} area="evaluation" />
              <button type="submit" disabled={busy} data-testid={`scheme-save-${c.kind}`}>
                {t('evaluation.scheme.new')}
              </button>
            </Form>
          </section>
        )
      })}
    </>
  )
}
