import { type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import {
  addCalendarMonths,
  AUDITOR_MAX_TERM_MONTHS,
  createAuditor,
  endAuditorAccess,
  extendAuditorTerm,
  formatDay,
  listAuditors,
} from '#app/domain.server.ts'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { Field, FieldError, FormError, replyFor } from '#app/forms/field.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// The bureau grants third-party auditors read-only access for a term, extends it, or ends it (Art. 24; ADR 0026).
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  const now = Date.now()
  const auditors = await listAuditors(context.platform.db, { actor, now })
  if (!auditors.ok) throw new Response('Forbidden', { status: 403 })
  return { auditors: auditors.value, today: formatDay(now), maxDay: formatDay(addCalendarMonths(now, AUDITOR_MAX_TERM_MONTHS)) }
}

const day = z.string().trim().min(1, 'required').max(10, 'invalid_date')
const schema = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('create'),
    username: z.string().trim().min(1, 'required').max(40, 'too_long'),
    displayName: z.string().trim().min(1, 'required').max(100, 'too_long'),
    organization: z.string().trim().min(1, 'required').max(200, 'too_long'),
    termEndsOn: day,
  }),
  z.object({ intent: z.literal('extend'), username: z.string().trim().min(1).max(40), termEndsOn: day }),
  z.object({
    intent: z.literal('end'),
    username: z.string().trim().min(1).max(40),
    reason: z.string().trim().max(500).optional(),
  }),
])

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  const form = Object.fromEntries(await readForm(request, context))
  const target =
    typeof form.intent === 'string' && form.intent !== 'create' && typeof form.username === 'string' ? form.username : 'create'
  const parsed = schema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const { db, requestId } = context.platform
  const input = parsed.data
  if (input.intent === 'create') {
    const created = await createAuditor(db, { actor, requestId, input })
    if (!created.ok) return failedForm(created.error, { target })
    // The initial password is shown this once, in this answer (never in a URL or a redirect).
    return { created: { username: created.value.username, initialPassword: created.value.initialPassword } }
  }
  const result =
    input.intent === 'extend'
      ? await extendAuditorTerm(db, { actor, requestId, username: input.username, termEndsOn: input.termEndsOn })
      : await endAuditorAccess(db, { actor, requestId, username: input.username, reason: input.reason })
  if (!result.ok) return failedForm(result.error, { target })
  return { done: { username: input.username, intent: input.intent } }
}

type ActionData =
  FormReply | { created: { username: string; initialPassword: string } } | { done: { username: string; intent: string } }

export default function BureauAuditors() {
  const { auditors, today, maxDay } = useLoaderData<typeof loader>()
  const data = useActionData<ActionData>()
  const reply = data && 'fields' in data ? (data as FormReply) : null
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const create = replyFor(reply, 'create')
  return (
    <>
      <h1>{t('auditor.list')}</h1>
      {data && 'created' in data ? (
        <div className="notice" role="status" data-testid="auditor-created">
          <p>{t('auditor.created', { username: data.created.username })}</p>
          <p>
            {t('auditor.initialPassword')}: <code data-testid="auditor-password">{data.created.initialPassword}</code>
          </p>
        </div>
      ) : null}
      {data && 'done' in data ? (
        <p className="notice" role="status">
          {t(data.done.intent === 'end' ? 'auditor.ended' : 'auditor.extended')}
        </p>
      ) : null}
      {auditors.length === 0 ? (
        <p className="muted">{t('auditor.none')}</p>
      ) : (
        <table data-testid="auditors">
          <thead>
            <tr>
              <th>{t('auditor.username')}</th>
              <th>{t('auditor.displayName')}</th>
              <th>{t('auditor.organization')}</th>
              <th>{t('auditor.termEnd')}</th>
              <th>{t('auditor.lastLogin')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {auditors.map((a) => {
              const failure = replyFor(reply, a.username)
              return (
                <tr key={a.id}>
                  <td>
                    <code>{a.username}</code>
                  </td>
                  <td>{a.displayName}</td>
                  <td>{a.organization ?? '—'}</td>
                  <td>
                    {a.termEndsOn}{' '}
                    <span className={`badge ${a.isActive ? 'ok' : 'bad'}`}>
                      {t(a.isActive ? 'auditor.state.active' : 'auditor.state.expired')}
                    </span>
                  </td>
                  <td>{formatTime(a.lastLoginAt, lang)}</td>
                  <td>
                    <Form method="post" className="inline" noValidate>
                      <input type="hidden" name="intent" value="extend" />
                      <input type="hidden" name="username" value={a.username} />
                      <input type="date" name="termEndsOn" min={today} max={maxDay} aria-label={t('auditor.termEnd')} />
                      <button type="submit" disabled={busy}>
                        {t('auditor.extend')}
                      </button>
                      <FieldError code={failure?.fields.termEndsOn} area="auth" />
                      <FormError code={failure?.formError} area="auth" />
                    </Form>
                    {a.isActive ? (
                      <Form method="post" className="inline" noValidate>
                        <input type="hidden" name="intent" value="end" />
                        <input type="hidden" name="username" value={a.username} />
                        <button type="submit" disabled={busy}>
                          {t('auditor.end')}
                        </button>
                      </Form>
                    ) : null}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
      <h2>{t('auditor.create')}</h2>
      <Form method="post" className="stack" noValidate data-testid="auditor-create">
        <input type="hidden" name="intent" value="create" />
        <Field label={t('auditor.username')} error={create?.fields.username} area="auth">
          <input name="username" autoComplete="off" maxLength={40} />
        </Field>
        <Field label={t('auditor.displayName')} error={create?.fields.displayName} area="auth">
          <input name="displayName" maxLength={100} />
        </Field>
        <Field label={t('auditor.organization')} error={create?.fields.organization} area="auth">
          <input name="organization" maxLength={200} />
        </Field>
        <Field label={t('auditor.termEnd')} error={create?.fields.termEndsOn} area="auth" hint={t('auditor.termHint')}>
          <input type="date" name="termEndsOn" min={today} max={maxDay} />
        </Field>
        <FormError code={create?.formError} area="auth" />
        <button type="submit" className="primary" disabled={busy}>
          {t('auditor.create')}
        </button>
      </Form>
    </>
  )
}
