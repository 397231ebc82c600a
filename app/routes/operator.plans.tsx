import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { createPlan, listPlanVersions } from '#app/domain.server.ts'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { PlansTable } from '#app/components/plans-table.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { Field, FormError } from '#app/forms/field.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { requireActor, requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// The operator's plans (ADR 0032): every version with its use, and a form for a new plan or a new version of one.
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  return { plans: await listPlanVersions(context.platform.db) }
}

const whole = (max: number) => z.coerce.number({ message: 'range' }).int('range').min(1, 'range').max(max, 'range')
const schema = z.object({
  code: z.string().trim().min(1, 'required').max(40, 'invalid'),
  nameZh: z.string().trim().min(1, 'required').max(60, 'length'),
  nameEn: z.string().trim().min(1, 'required').max(60, 'length'),
  rateLimitPerMinute: whole(100_000),
  monthlyQuota: z.union([z.literal('').transform(() => null), whole(1_000_000_000)]),
  distinctSubjectsPerDay: whole(10_000_000),
  maxActiveKeys: whole(100),
  allowsImmediateChange: z.literal('on').optional(),
  isNewVersion: z.literal('on').optional(),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  const { code, isNewVersion, allowsImmediateChange, ...limits } = parsed.data
  const result = await createPlan(context.platform.db, {
    code,
    input: { ...limits, allowsImmediateChange: allowsImmediateChange === 'on' },
    isNewVersion: isNewVersion === 'on',
    actor,
    requestId: context.platform.requestId,
  })
  if (!result.ok) return failedForm(result.error)
  return redirect(`/operator/plans?saved=${encodeURIComponent(`${result.value.code}@${result.value.version}`)}`)
}

export default function OperatorPlans() {
  const { plans } = useLoaderData<typeof loader>()
  const reply = useActionData<FormReply>() ?? null
  const [params] = useSearchParams()
  const t = useT()
  const busy = useNavigation().state !== 'idle'
  const saved = params.get('saved')
  return (
    <>
      <h1>{t('plans.operator.title')}</h1>
      <p className="lead">{t('plans.operator.intro')}</p>
      {saved && !reply && (
        <p className="notice" role="status" data-testid="plan-saved">
          {t('plans.saved')} <code>{saved}</code>
        </p>
      )}
      <PlansTable plans={plans} />

      <h2>{t('plans.new')}</h2>
      <FormError code={reply?.formError} area="plans" />
      <Form key={saved ?? 'new'} method="post" className="stack" noValidate data-testid="plan-form">
        <Field label={t('plans.code')} error={reply?.fields.code} area="plans" hint={t('plans.codeHint')}>
          <input name="code" maxLength={40} />
        </Field>
        <Field label={t('plans.nameZh')} error={reply?.fields.nameZh} area="plans">
          <input name="nameZh" maxLength={60} />
        </Field>
        <Field label={t('plans.nameEn')} error={reply?.fields.nameEn} area="plans">
          <input name="nameEn" maxLength={60} />
        </Field>
        <Field label={t('plans.rate')} error={reply?.fields.rateLimitPerMinute} area="plans">
          <input name="rateLimitPerMinute" inputMode="numeric" defaultValue="600" />
        </Field>
        <Field label={t('plans.quota')} error={reply?.fields.monthlyQuota} area="plans">
          <input name="monthlyQuota" inputMode="numeric" defaultValue="100000" />
        </Field>
        <Field label={t('plans.subjects')} error={reply?.fields.distinctSubjectsPerDay} area="plans">
          <input name="distinctSubjectsPerDay" inputMode="numeric" defaultValue="1000" />
        </Field>
        <Field label={t('plans.keys')} error={reply?.fields.maxActiveKeys} area="plans">
          <input name="maxActiveKeys" inputMode="numeric" defaultValue="5" />
        </Field>
        <label className="choice">
          <input type="checkbox" name="allowsImmediateChange" /> {t('plans.allowsImmediate')}
        </label>
        <label className="choice">
          <input type="checkbox" name="isNewVersion" /> {t('plans.isNewVersion')}
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {t('plans.submit')}
        </button>
      </Form>
    </>
  )
}
