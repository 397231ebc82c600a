import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import {
  closeCase,
  findCase,
  formatDay,
  openCase,
  resumeAuthorization,
  suspendAuthorization,
  terminateCase,
} from '#app/domain.server.ts'
import { CaseFacts } from '#app/components/case-view.tsx'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { Field, FormError, replyFor } from '#app/forms/field.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { useT } from '#app/i18n/use-t.ts'
import type { MessageKey } from '#app/i18n/messages.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor, requireStepUp } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// One case for the bureau (ADR 0028): open it, pause or resume data supply, verify and close, confirm termination.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  const detail = await findCase(context.platform.db, { actor, code: params.code ?? '' })
  if (!detail) throw new Response('Not found', { status: 404 })
  return { detail, today: formatDay(Date.now()) }
}

const text = (max: number) => z.string().trim().min(1, 'required').max(max, 'too_long')

const schema = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('open'),
    targetKind: z.enum(['operator', 'partner', 'product', 'authorization'], { message: 'invalid' }),
    targetCode: z.string().trim().max(100, 'too_long').optional(),
    finding: text(2000),
    ruleBreached: text(300),
    deadlineOn: z
      .string()
      .trim()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'invalid_date'),
  }),
  z.object({ intent: z.literal('suspend'), authorization: text(100), reason: text(500) }),
  z.object({ intent: z.literal('resume'), authorization: text(100), reason: z.string().trim().max(500, 'too_long').optional() }),
  z.object({ intent: z.literal('close'), resolution: text(1000) }),
  z.object({ intent: z.literal('terminate'), reason: text(1000) }),
])

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { user, actor } = await requireActor(request, context, ['bureau'])
  const form = Object.fromEntries(await readForm(request, context))
  const target =
    typeof form.intent === 'string'
      ? `${form.intent}${typeof form.authorization === 'string' ? `:${form.authorization}` : ''}`
      : null
  const parsed = schema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const { db, requestId } = context.platform
  const code = params.code ?? ''
  const input = parsed.data
  // Pausing supply and terminating are among the most consequential actions: a fresh second factor first.
  if (input.intent === 'suspend' || input.intent === 'terminate') requireStepUp(request, user)
  const result =
    input.intent === 'open'
      ? await openCase(db, { actor, requestId, code, ...input })
      : input.intent === 'suspend'
        ? await suspendAuthorization(db, { actor, requestId, code: input.authorization, reason: input.reason, caseCode: code })
        : input.intent === 'resume'
          ? await resumeAuthorization(db, { actor, requestId, code: input.authorization, reason: input.reason })
          : input.intent === 'close'
            ? await closeCase(db, { actor, requestId, code, resolution: input.resolution })
            : await terminateCase(db, { actor, requestId, code, reason: input.reason })
  if (!result.ok) return failedForm(result.error, { target })
  return redirect(`/bureau/cases/${encodeURIComponent(code)}?done=${input.intent}`)
}

const DONE: Record<string, MessageKey> = {
  open: 'cases.done.open',
  suspend: 'cases.done.suspend',
  resume: 'cases.done.resume',
  close: 'cases.done.close',
  terminate: 'cases.done.terminate',
}

export default function BureauCase() {
  const { detail, today } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const busy = useNavigation().state !== 'idle'
  const c = detail.case
  const code = c.code
  const running = c.state === 'open' || c.state === 'evidence_submitted' || c.state === 'escalated'
  const open = replyFor(data, 'open')
  const close = replyFor(data, 'close')
  const terminate = replyFor(data, 'terminate')
  return (
    <>
      {params.get('done') && !data && (
        <p className="notice" role="status" data-testid="case-done">
          {t(DONE[params.get('done')!] ?? 'cases.done.close')}
        </p>
      )}
      <CaseFacts detail={detail} evidenceHref={(id) => `/bureau/cases/${encodeURIComponent(code)}/evidence/${id}`} />

      {c.state === 'reported' && (
        <section className="panel">
          <h2>{t('cases.open.title')}</h2>
          <Form method="post" className="stack" noValidate data-testid="open-form">
            <input type="hidden" name="intent" value="open" />
            <Field label={t('cases.open.targetKind')} error={open?.fields.targetKind} area="cases">
              <select name="targetKind" defaultValue="authorization">
                <option value="operator">{t('cases.target.operator')}</option>
                <option value="partner">{t('cases.target.partner')}</option>
                <option value="product">{t('cases.target.product')}</option>
                <option value="authorization">{t('cases.target.authorization')}</option>
              </select>
            </Field>
            <Field label={t('cases.open.targetCode')} error={open?.fields.targetCode} area="cases">
              <input name="targetCode" maxLength={100} />
            </Field>
            <Field label={t('cases.open.finding')} error={open?.fields.finding} area="cases">
              <textarea name="finding" rows={3} maxLength={2000} />
            </Field>
            <Field label={t('cases.open.rule')} error={open?.fields.ruleBreached} area="cases">
              <input name="ruleBreached" maxLength={300} />
            </Field>
            <Field label={t('cases.open.deadline')} error={open?.fields.deadlineOn} area="cases">
              <input name="deadlineOn" type="date" min={today} />
            </Field>
            <FormError code={open?.formError} area="cases" />
            <button type="submit" className="primary" disabled={busy} data-testid="open-submit">
              {t('cases.open.submit')}
            </button>
          </Form>
        </section>
      )}

      {running && detail.authorizations.length > 0 && (
        <section className="panel">
          <h2>{t('cases.suspend.title')}</h2>
          <p className="muted">{t('cases.suspend.intro')}</p>
          <table data-testid="case-authorizations">
            <tbody>
              {detail.authorizations.map((a) => {
                const failure = replyFor(data, `${a.state === 'suspended' ? 'resume' : 'suspend'}:${a.code}`)
                return (
                  <tr key={a.code} data-testid={`authorization-${a.code}`}>
                    <td>
                      <code>{a.code}</code> {a.datasetCode}
                    </td>
                    <td>
                      <span className={`badge ${a.state === 'active' ? 'ok' : 'bad'}`} data-testid="authorization-state">
                        {t(`catalog.state.${a.state}` as 'catalog.state.active')}
                      </span>
                    </td>
                    <td>
                      {a.state === 'suspended' && a.suspendedCaseCode === 'other' ? (
                        <span className="muted">{t('cases.suspend.otherCase')}</span>
                      ) : a.state === 'active' || a.state === 'suspended' ? (
                        <Form method="post" className="inline" noValidate>
                          <input type="hidden" name="intent" value={a.state === 'active' ? 'suspend' : 'resume'} />
                          <input type="hidden" name="authorization" value={a.code} />
                          <input
                            name="reason"
                            aria-label={t('cases.suspend.reason')}
                            placeholder={t('cases.suspend.reason')}
                            maxLength={500}
                          />
                          <button type="submit" disabled={busy} data-testid={a.state === 'active' ? 'suspend' : 'resume'}>
                            {t(a.state === 'active' ? 'cases.suspend.submit' : 'cases.suspend.resume')}
                          </button>
                          <FormError code={failure?.fields.reason ?? failure?.formError} area="cases" />
                        </Form>
                      ) : null}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </section>
      )}

      {(c.state === 'reported' || c.state === 'open' || c.state === 'evidence_submitted') && (
        <section className="panel">
          <h2>{t(c.state === 'reported' ? 'cases.close.dismissTitle' : 'cases.close.title')}</h2>
          <Form method="post" className="stack" noValidate data-testid="close-form">
            <input type="hidden" name="intent" value="close" />
            <Field label={t('cases.close.resolution')} error={close?.fields.resolution} area="cases">
              <textarea name="resolution" rows={2} maxLength={1000} />
            </Field>
            <FormError code={close?.formError} area="cases" />
            <button type="submit" disabled={busy} data-testid="close-submit">
              {t('cases.close.submit')}
            </button>
          </Form>
        </section>
      )}

      {c.state === 'escalated' && (
        <section className="panel">
          <h2>{t('cases.terminate.title')}</h2>
          <p className="muted">{t('cases.terminate.intro')}</p>
          <Form method="post" className="stack" noValidate data-testid="terminate-form">
            <input type="hidden" name="intent" value="terminate" />
            <Field label={t('cases.terminate.reason')} error={terminate?.fields.reason} area="cases">
              <textarea name="reason" rows={2} maxLength={1000} />
            </Field>
            <FormError code={terminate?.formError} area="cases" />
            <button type="submit" className="primary" disabled={busy} data-testid="terminate-submit">
              {t('cases.terminate.submit')}
            </button>
          </Form>
        </section>
      )}
    </>
  )
}
