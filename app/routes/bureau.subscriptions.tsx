import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import { decideSubscription, listActiveCreditRecords, listSubscriptions } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { Field, FormError, replyFor } from '#app/forms/field.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount, formatTime } from '#app/lib/format.ts'
import { requireActor, requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['bureau'])
  const { db } = context.platform
  // Public-interest subscriptions are the ones the bureau decides on (Art. 21).
  const subscriptions = await listSubscriptions(db, { purpose: 'public_interest' })
  // Beside each request, the partner's credit records in force (Art. 28; ADR 0029).
  const pendingPartners = [...new Set(subscriptions.filter((s) => s.state === 'pending').map((s) => s.partnerId))]
  const credit = Object.fromEntries(
    await Promise.all(pendingPartners.map(async (id) => [id, await listActiveCreditRecords(db, { partnerId: id })] as const)),
  )
  return { subscriptions, credit }
}

const schema = z
  .object({
    subscriptionId: z.string().min(1, 'required'),
    decision: z.enum(['approve', 'reject'], { errorMap: () => ({ message: 'required' }) }),
    comment: z.string().trim().max(500, 'length').optional(),
  })
  .superRefine((v, ctx) => {
    if (v.decision === 'reject' && !v.comment)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['comment'], message: 'required' })
  })

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  const form = Object.fromEntries(await readForm(request, context))
  const target = typeof form.subscriptionId === 'string' ? form.subscriptionId : null
  const parsed = schema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const result = await decideSubscription(context.platform.db, {
    subscriptionId: parsed.data.subscriptionId,
    decision: parsed.data.decision,
    comment: parsed.data.comment,
    actor,
    requestId: context.platform.requestId,
  })
  if (!result.ok) return failedForm(result.error, { target })
  return redirect(`/bureau/subscriptions?decided=${parsed.data.decision}`)
}

export default function BureauSubscriptions() {
  const { subscriptions, credit } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const pending = subscriptions.filter((s) => s.state === 'pending')
  const decided = subscriptions.filter((s) => s.state !== 'pending')
  const decidedFlag = params.get('decided')
  return (
    <>
      <h1>{t('gateway.review.title')}</h1>
      <p className="lead">{t('gateway.review.intro')}</p>
      {(decidedFlag === 'approve' || decidedFlag === 'reject') && !data && (
        <p className="notice" role="status" data-testid="decided">
          {t(`gateway.review.done.${decidedFlag}`)}
        </p>
      )}
      <h2>{t('gateway.review.pending')}</h2>
      {pending.length === 0 && <p className="muted">{t('gateway.review.none')}</p>}
      {pending.map((s) => {
        const failure = replyFor(data, s.id)
        return (
          <div className="panel" key={s.id} data-testid={`pending-${s.id}`}>
            <p>
              <strong>{s.partnerName}</strong> · {lang === 'zh' ? s.productNameZh : s.productNameEn} <code>{s.productCode}</code>{' '}
              · {t('purpose.public_interest')} · {formatTime(s.createdAt, lang)}
            </p>
            {s.scenario && (
              <p data-testid="scenario">
                {t('plans.scenario')}: {s.scenario}
                {s.expectedMonthlyVolume !== null && ` · ${t('plans.volume')}: ${formatCount(s.expectedMonthlyVolume, lang)}`}
              </p>
            )}
            <p data-testid="statement">{s.purposeStatement}</p>
            <p data-testid="partner-credit">
              {t('emergency.credit.activeForPartner')}:{' '}
              {(credit[s.partnerId]?.records.length ?? 0) === 0
                ? t('emergency.credit.noneForPartner')
                : credit[s.partnerId]!.records.map((r) => (
                    <span key={r.code} className={`badge ${r.severity === 'serious' ? 'bad' : ''}`}>
                      {r.code} {t(`emergency.credit.severity.${r.severity}`)}: {r.description}{' '}
                    </span>
                  ))}
              {credit[s.partnerId]?.isBadCreditExitCandidate && (
                <strong data-testid="exit-candidate"> · {t('emergency.credit.exitCandidate')}</strong>
              )}
            </p>
            <FormError code={failure?.formError} area="gateway" />
            <Form method="post" className="stack" noValidate>
              <input type="hidden" name="subscriptionId" value={s.id} />
              <Field
                label={t('gateway.review.comment')}
                error={failure?.fields.comment}
                area="gateway"
                errorTestId="comment-error"
              >
                <textarea name="comment" rows={2} maxLength={500} />
              </Field>
              <div className="actions">
                <button type="submit" name="decision" value="approve" className="primary" disabled={busy}>
                  {t('gateway.review.approve')}
                </button>{' '}
                <button type="submit" name="decision" value="reject" disabled={busy}>
                  {t('gateway.review.reject')}
                </button>
              </div>
            </Form>
          </div>
        )
      })}
      <h2>{t('gateway.review.decided')}</h2>
      <table data-testid="decided-table">
        <thead>
          <tr>
            <th>{t('col.partner')}</th>
            <th>{t('col.product')}</th>
            <th>{t('gateway.subs.state')}</th>
            <th>{t('gateway.review.decidedBy')}</th>
            <th>{t('col.time')}</th>
            <th>{t('gateway.review.comment')}</th>
          </tr>
        </thead>
        <tbody>
          {decided.map((s) => (
            <tr key={s.id}>
              <td>{s.partnerName}</td>
              <td>
                <code>{s.productCode}</code>
              </td>
              <td>
                <span className={`badge ${s.state === 'active' ? 'ok' : 'bad'}`}>
                  {t(`gateway.subState.${s.state}` as const)}
                </span>
              </td>
              <td>{s.decidedBy ?? '—'}</td>
              <td>{formatTime(s.decidedAt, lang)}</td>
              <td>{s.decisionComment ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
