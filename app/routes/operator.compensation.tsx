import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import { computeCompensationStatements, listCompensationStatements, periodOf } from '#app/domain.server.ts'
import { CompensationStatementsTable } from '#app/components/compensation-statements.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { Field, FormError } from '#app/forms/field.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { requireActor, requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  const statements = await listCompensationStatements(context.platform.db, { limit: 300 })
  const current = periodOf(Date.now())
  const last = periodOf(current.start - 1).period
  return { statements, last }
}

const schema = z.object({
  period: z
    .string()
    .trim()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'invalid_period'),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  const result = await computeCompensationStatements(context.platform.db, {
    period: parsed.data.period,
    now: Date.now(),
    actor,
    requestId: context.platform.requestId,
  })
  if (!result.ok) return failedForm(result.error)
  return redirect(`/operator/compensation?computed=${parsed.data.period}`)
}

export default function OperatorCompensation() {
  const { statements, last } = useLoaderData<typeof loader>()
  const reply = useActionData<FormReply>() ?? null
  const t = useT()
  const busy = useNavigation().state !== 'idle'
  const [params] = useSearchParams()
  const computed = params.get('computed')
  return (
    <>
      <h1>{t('billing.comp.title')}</h1>
      <p className="lead">{t('billing.comp.intro')}</p>
      {computed && (
        <p className="notice" role="status">
          {t('billing.comp.computed', { period: computed })}
        </p>
      )}
      <section className="panel">
        <h2>{t('billing.comp.compute')}</h2>
        <Form method="post" className="stack" noValidate data-testid="compute-form">
          <FormError code={reply?.formError} area="billing" />
          <Field label={t('billing.col.period')} error={reply?.fields.period} area="billing" errorTestId="period-error">
            <input name="period" type="month" defaultValue={last} />
          </Field>
          <button type="submit" className="primary" disabled={busy}>
            {t('billing.comp.computeSubmit')}
          </button>
        </Form>
      </section>
      <h2>{t('billing.comp.statements')}</h2>
      <CompensationStatementsTable statements={statements} showDatasets />
    </>
  )
}
