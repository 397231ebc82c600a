import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { useState } from 'react'
import { z } from 'zod'
import {
  cancelSubscription,
  changeSubscriptionPlan,
  createSubscription,
  listPlans,
  listSubscribableProducts,
  listSubscriptions,
} from '#app/domain.server.ts'
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
    intent: z.literal('subscribe').optional(),
    productCode: z.string().trim().min(1, 'required'),
    scenario: z.string().trim().min(4, 'length').max(500, 'length'),
    expectedMonthlyVolume: z.union([
      z.literal('').transform(() => null),
      z.coerce.number({ message: 'invalid' }).int('invalid').min(0, 'invalid').max(1_000_000_000, 'invalid'),
    ]),
    purpose: z.enum(['industrial', 'public_interest'], { errorMap: () => ({ message: 'required' }) }),
    statement: z.string().trim().max(2000, 'length').optional(),
    planCode: z.string().trim().min(1, 'required'),
  })
  .superRefine((v, ctx) => {
    if (v.purpose === 'public_interest' && (v.statement ?? '').length < 10) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['statement'], message: 'required' })
    }
  })

// Plan changes and cancellations (ADR 0032): one subscription of the partner's own, named by id.
const changeSchema = z.object({
  intent: z.literal('changePlan'),
  subscriptionId: z.string().trim().min(1, 'required').max(64, 'invalid'),
  planCode: z.string().trim().min(1, 'required').max(40, 'invalid'),
  isImmediate: z.literal('on').optional(),
})
const cancelSchema = z.object({
  intent: z.literal('cancel'),
  subscriptionId: z.string().trim().min(1, 'required').max(64, 'invalid'),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, actor } = await requireActor(request, context, ['partner_admin'])
  const form = Object.fromEntries(await readForm(request, context))
  const { db, requestId } = context.platform
  if (form.intent === 'changePlan') {
    const change = changeSchema.safeParse(form)
    if (!change.success) return invalidForm(change.error)
    const changed = await changeSubscriptionPlan(db, {
      subscriptionId: change.data.subscriptionId,
      planCode: change.data.planCode,
      isImmediate: change.data.isImmediate === 'on',
      actor,
      requestId,
    })
    if (!changed.ok) return failedForm(changed.error)
    return redirect('/partner/subscriptions?done=changed')
  }
  if (form.intent === 'cancel') {
    const cancel = cancelSchema.safeParse(form)
    if (!cancel.success) return invalidForm(cancel.error)
    const cancelled = await cancelSubscription(db, { subscriptionId: cancel.data.subscriptionId, actor, requestId })
    if (!cancelled.ok) return failedForm(cancelled.error)
    return redirect('/partner/subscriptions?done=cancelled')
  }
  const parsed = schema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error)
  const result = await createSubscription(context.platform.db, {
    scenario: parsed.data.scenario,
    expectedMonthlyVolume: parsed.data.expectedMonthlyVolume,
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

/** A partner's own words keep their language whatever the page's: marked so readers (and checks) can tell. */
const writtenLang = (text: string) => (/[\u3400-\u9fff]/.test(text) ? 'zh-CN' : undefined)

export default function PartnerSubscriptions() {
  const { subscriptions, products, plans } = useLoaderData<typeof loader>()
  const reply = useActionData<FormReply>() ?? null
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  /** A plan's name in the user's language, never its code (`standard`, `trial`). */
  const planName = (code: string) => {
    const plan = plans.find((p) => p.code === code)
    return plan ? (lang === 'zh' ? plan.nameZh : plan.nameEn) : code
  }
  const busy = useNavigation().state !== 'idle'
  const [purpose, setPurpose] = useState<'industrial' | 'public_interest'>('industrial')
  const created = params.get('created')
  const done = params.get('done')
  return (
    <>
      <h1>{t('gateway.subs.title')}</h1>
      <p className="lead">{t('gateway.subs.intro')}</p>
      {created && !reply && (
        <p className="notice" role="status" data-testid="subscription-created">
          {t(created === 'pending' ? 'gateway.subs.created.pending' : 'gateway.subs.created.active')}
        </p>
      )}

      {done && !reply && (
        <p className="notice" role="status" data-testid="subscription-done">
          {t(done === 'cancelled' ? 'plans.cancel.done' : 'plans.change.done')}
        </p>
      )}
      {reply?.formError && <FormError code={reply.formError} area="plans" />}

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
            <th>{t('plans.change.title')}</th>
          </tr>
        </thead>
        <tbody>
          {subscriptions.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                {t('gateway.subs.none')}
              </td>
            </tr>
          )}
          {subscriptions.map((s) => (
            <tr key={s.id} data-testid={`subscription-${s.productCode}`} data-purpose={s.purpose} data-subscription-id={s.id}>
              <td>
                {lang === 'zh' ? s.productNameZh : s.productNameEn} <code>{s.productCode}</code>
              </td>
              <td>
                {t(s.purpose === 'industrial' ? 'purpose.industrial' : 'purpose.public_interest')}
                {s.scenario && (
                  <div data-testid="subscription-scenario" lang={writtenLang(s.scenario)}>
                    {s.scenario}
                  </div>
                )}
                {s.expectedMonthlyVolume !== null && (
                  <div className="muted">
                    {t('plans.volume')}: {formatCount(s.expectedMonthlyVolume, lang)}
                  </div>
                )}
                {s.purposeStatement && (
                  <div className="muted" lang={writtenLang(s.purposeStatement)}>
                    {s.purposeStatement}
                  </div>
                )}
              </td>
              <td>
                {planName(s.planCode)} v{s.planVersion}
                {s.nextPlanCode && s.planChangesAt !== null && (
                  <div className="muted">
                    {t('plans.change.pending', { plan: planName(s.nextPlanCode), at: formatTime(s.planChangesAt, lang) })}
                  </div>
                )}
              </td>
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
              <td>
                {s.endsAt !== null ? (
                  <span className="muted" data-testid="subscription-ends">
                    {t('plans.endsAt', { at: formatTime(s.endsAt, lang) })}
                  </span>
                ) : s.state === 'active' || s.state === 'pending' ? (
                  <>
                    <Form method="post" className="inline" data-testid="change-plan-form">
                      <input type="hidden" name="intent" value="changePlan" />
                      <input type="hidden" name="subscriptionId" value={s.id} />
                      <select name="planCode" defaultValue={s.planCode} aria-label={t('plans.change.title')}>
                        {plans.map((p) => (
                          <option key={p.code} value={p.code}>
                            {lang === 'zh' ? p.nameZh : p.nameEn}
                          </option>
                        ))}
                      </select>
                      <label className="choice">
                        <input type="checkbox" name="isImmediate" /> {t('plans.change.immediate')}
                      </label>
                      <button type="submit" disabled={busy}>
                        {t('plans.change.submit')}
                      </button>
                    </Form>
                    <Form method="post" className="inline" data-testid="cancel-form">
                      <input type="hidden" name="intent" value="cancel" />
                      <input type="hidden" name="subscriptionId" value={s.id} />
                      <button type="submit" disabled={busy}>
                        {t('plans.cancel.submit')}
                      </button>
                    </Form>
                  </>
                ) : (
                  '—'
                )}
              </td>
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
        <input type="hidden" name="intent" value="subscribe" />
        <Field
          label={t('plans.scenario')}
          error={reply?.fields.scenario}
          area="plans"
          hint={t('plans.scenarioHint')}
          errorTestId="scenario-error"
        >
          <textarea name="scenario" rows={2} maxLength={500} />
        </Field>
        <Field label={t('plans.volume')} error={reply?.fields.expectedMonthlyVolume} area="plans">
          <input name="expectedMonthlyVolume" inputMode="numeric" />
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
