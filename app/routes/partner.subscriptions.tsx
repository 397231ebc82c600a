import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { useState } from 'react'
import { z } from 'zod'
import { createSubscription, listPlans, listSubscribableProducts, listSubscriptions } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { Field, FieldError, FormError } from '#app/forms/field.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount, formatTime } from '#app/lib/format.ts'
import { requireActor, requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ['partner_admin'])
  const { db } = context.platform
  const [subscriptions, products, plans] = await Promise.all([
    listSubscriptions(db, { partnerId: user.partnerId! }),
    listSubscribableProducts(db),
    listPlans(db),
  ])
  return { subscriptions, products, plans }
}

const schema = z
  .object({
    productCode: z.string().trim().min(1, 'required'),
    purpose: z.enum(['industrial', 'public_interest'], { errorMap: () => ({ message: 'required' }) }),
    statement: z.string().trim().max(2000, 'length').optional(),
    planCode: z.string().trim().min(1, 'required'),
  })
  .superRefine((v, ctx) => {
    if (v.purpose === 'public_interest' && (v.statement ?? '').length < 10) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['statement'], message: 'required' })
    }
  })

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, actor } = await requireActor(request, context, ['partner_admin'])
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  const result = await createSubscription(context.platform.db, {
    partner: { id: user.partnerId! },
    productCode: parsed.data.productCode,
    purpose: parsed.data.purpose,
    statement: parsed.data.statement,
    planCode: parsed.data.planCode,
    actor,
    requestId: context.platform.requestId,
  })
  if (!result.ok) return failedForm(result.error)
  return redirect(`/partner/subscriptions?created=${result.value.state}`)
}

export default function PartnerSubscriptions() {
  const { subscriptions, products, plans } = useLoaderData<typeof loader>()
  const reply = useActionData<FormReply>() ?? null
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const [purpose, setPurpose] = useState<'industrial' | 'public_interest'>('industrial')
  const created = params.get('created')
  return (
    <>
      <h1>{t('gateway.subs.title')}</h1>
      <p className="lead">{t('gateway.subs.intro')}</p>
      {created && !reply && (
        <p className="notice" role="status" data-testid="subscription-created">
          {t(created === 'pending' ? 'gateway.subs.created.pending' : 'gateway.subs.created.active')}
        </p>
      )}

      <h2>{t('gateway.subs.mine')}</h2>
      <table data-testid="subscriptions-table">
        <thead>
          <tr>
            <th>{t('col.product')}</th>
            <th>{t('col.purpose')}</th>
            <th>{t('gateway.subs.plan')}</th>
            <th>{t('gateway.subs.state')}</th>
            <th>{t('gateway.subs.created')}</th>
            <th>{t('gateway.subs.decision')}</th>
          </tr>
        </thead>
        <tbody>
          {subscriptions.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                {t('gateway.subs.none')}
              </td>
            </tr>
          )}
          {subscriptions.map((s) => (
            <tr key={s.id} data-testid={`subscription-${s.productCode}`}>
              <td>
                {lang === 'zh' ? s.productNameZh : s.productNameEn} <code>{s.productCode}</code>
              </td>
              <td>
                {t(s.purpose === 'industrial' ? 'purpose.industrial' : 'purpose.public_interest')}
                {s.purposeStatement && <div className="muted">{s.purposeStatement}</div>}
              </td>
              <td>{s.planCode}</td>
              <td>
                <span
                  className={`badge ${s.state === 'active' ? 'ok' : s.state === 'pending' ? '' : 'bad'}`}
                  data-testid="subscription-state"
                >
                  {t(`gateway.subState.${s.state}` as const)}
                </span>
              </td>
              <td>{formatTime(s.createdAt, lang)}</td>
              <td>{s.decisionComment ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <Link to="/developer/keys">{t('gateway.subs.keysLink')}</Link>
      </p>

      <h2>{t('gateway.subs.new')}</h2>
      <FormError code={reply?.formError} area="gateway" />
      <Form key={created ?? 'new'} method="post" className="stack" noValidate data-testid="subscribe-form">
        <Field label={t('gateway.subs.product')} error={reply?.fields.productCode} area="gateway">
          <select name="productCode" defaultValue="">
            <option value="">{t('gateway.subs.choose')}</option>
            {products.map((p) => (
              <option key={p.code} value={p.code}>
                {lang === 'zh' ? p.nameZh : p.nameEn} ({p.code})
              </option>
            ))}
          </select>
        </Field>
        <fieldset className="purpose">
          <legend>{t('gateway.subs.purpose')}</legend>
          {(['industrial', 'public_interest'] as const).map((p) => (
            <label key={p} className="choice">
              <input type="radio" name="purpose" value={p} checked={purpose === p} onChange={() => setPurpose(p)} />
              {t(p === 'industrial' ? 'purpose.industrial' : 'purpose.public_interest')}
            </label>
          ))}
          <FieldError code={reply?.fields.purpose} area="gateway" />
        </fieldset>
        <Field
          label={t('gateway.subs.statement')}
          error={reply?.fields.statement}
          area="gateway"
          hint={t('gateway.subs.statementHint')}
          errorTestId="statement-error"
        >
          <textarea name="statement" rows={3} maxLength={2000} />
        </Field>
        <Field label={t('gateway.subs.plan')} error={reply?.fields.planCode} area="gateway">
          <select name="planCode" defaultValue="standard">
            {plans.map((p) => (
              <option key={p.code} value={p.code}>
                {t('gateway.subs.planLine', {
                  name: lang === 'zh' ? p.nameZh : p.nameEn,
                  rate: formatCount(p.rateLimitPerMinute, lang),
                  quota: p.monthlyQuota === null ? t('gateway.usage.unlimited') : formatCount(p.monthlyQuota, lang),
                })}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {t('gateway.subs.submit')}
        </button>
      </Form>
    </>
  )
}
