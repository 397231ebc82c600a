import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { useState } from 'react'
import { z } from 'zod'
import { createSubscription, listPlans, listSubscribableProducts, listSubscriptions } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { messages, type MessageKey } from '#app/i18n/messages.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount, formatTime } from '#app/lib/format.ts'
import { requireUser } from '#app/session.server.ts'
import { formFieldErrors } from '#app/lib/form-errors.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { userActor } from '#platform/identity/permissions.ts'

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

interface ActionData {
  fields: Record<string, string>
  formError: string | null
  detail: string | null
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context, ['partner_admin'])
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) {
    const fields = formFieldErrors(parsed.error)
    return Response.json({ fields, formError: null, detail: null } satisfies ActionData, { status: 400 })
  }
  const result = await createSubscription(context.platform.db, {
    partner: { id: user.partnerId! },
    productCode: parsed.data.productCode,
    purpose: parsed.data.purpose,
    statement: parsed.data.statement,
    planCode: parsed.data.planCode,
    actor: userActor(user),
    requestId: context.platform.requestId,
  })
  if (!result.ok) {
    const data: ActionData = {
      fields: result.error.fields ?? {},
      formError: result.error.fields ? null : result.error.code,
      detail: result.error.message,
    }
    return Response.json(data, { status: 400 })
  }
  return redirect(`/partner/subscriptions?created=${result.value.state}`)
}

export default function PartnerSubscriptions() {
  const { subscriptions, products, plans } = useLoaderData<typeof loader>()
  const data = useActionData<ActionData>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const [purpose, setPurpose] = useState<'industrial' | 'public_interest'>('industrial')
  const errorText = (code: string) => {
    const key = `gateway.error.${code}`
    return key in messages.zh ? t(key as MessageKey, { detail: '' }) : t('gateway.error.generic', { detail: code })
  }
  const created = params.get('created')
  return (
    <>
      <h1>{t('gateway.subs.title')}</h1>
      <p className="lead">{t('gateway.subs.intro')}</p>
      {created && !data && (
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
      {data?.formError && (
        <p className="form-error" role="alert">
          {errorText(data.formError)}
        </p>
      )}
      <Form key={created ?? 'new'} method="post" className="stack" noValidate data-testid="subscribe-form">
        <label>
          {t('gateway.subs.product')}
          <select name="productCode" defaultValue="" aria-invalid={data?.fields.productCode ? true : undefined}>
            <option value="">{t('gateway.subs.choose')}</option>
            {products.map((p) => (
              <option key={p.code} value={p.code}>
                {lang === 'zh' ? p.nameZh : p.nameEn} ({p.code})
              </option>
            ))}
          </select>
          {data?.fields.productCode && <span className="field-error">{errorText(data.fields.productCode)}</span>}
        </label>
        <fieldset className="purpose">
          <legend>{t('gateway.subs.purpose')}</legend>
          {(['industrial', 'public_interest'] as const).map((p) => (
            <label key={p} className="choice">
              <input type="radio" name="purpose" value={p} checked={purpose === p} onChange={() => setPurpose(p)} />
              {t(p === 'industrial' ? 'purpose.industrial' : 'purpose.public_interest')}
            </label>
          ))}
          {data?.fields.purpose && <span className="field-error">{errorText(data.fields.purpose)}</span>}
        </fieldset>
        <label>
          {t('gateway.subs.statement')}
          <textarea name="statement" rows={3} maxLength={2000} aria-invalid={data?.fields.statement ? true : undefined} />
          <span className="muted">{t('gateway.subs.statementHint')}</span>
          {data?.fields.statement && (
            <span className="field-error" data-testid="statement-error">
              {errorText(data.fields.statement)}
            </span>
          )}
        </label>
        <label>
          {t('gateway.subs.plan')}
          <select name="planCode" defaultValue="standard" aria-invalid={data?.fields.planCode ? true : undefined}>
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
          {data?.fields.planCode && <span className="field-error">{errorText(data.fields.planCode)}</span>}
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {t('gateway.subs.submit')}
        </button>
      </Form>
    </>
  )
}
