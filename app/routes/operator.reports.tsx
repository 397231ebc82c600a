import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { ReportList } from '#app/components/operation-report-view.tsx'
import { generateOperationReport, listOperationReports } from '#app/domain.server.ts'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { Field, FormError } from '#app/forms/field.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor } from '#app/session.server.ts'

// The operator's operation reports (Art. 25; ADR 0035): the list, and generating a period's report.
export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const reports = await listOperationReports(context.platform.db, { actor })
  if (!reports.ok) throw new Response('Forbidden', { status: 403 })
  return { reports: reports.value }
}

const schema = z.object({
  intent: z.literal('generate'),
  period: z.string().trim().min(1, 'required').max(7, 'invalid_period'),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  const result = await generateOperationReport(context.platform.db, {
    actor,
    period: parsed.data.period,
    requestId: context.platform.requestId,
  })
  if (!result.ok) return failedForm(result.error, { shownFields: ['period'] })
  return redirect(`/operator/reports/${result.value.period}?generated=${result.value.version}`)
}

export default function OperatorReports() {
  const { reports } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  return (
    <>
      <h1>{t('oreport.operator.title')}</h1>
      <p className="lead">{t('oreport.operator.intro')}</p>
      <section className="card">
        <h2>{t('oreport.generate.title')}</h2>
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="generate" />
          <Field label={t('oreport.generate.period')} error={data?.fields.period} area="oreport" errorTestId="period-error">
            <input name="period" required maxLength={7} placeholder="2026-Q3" autoComplete="off" />
          </Field>
          <FormError code={data?.formError} area="oreport" />
          <button type="submit" className="primary" disabled={busy} data-testid="generate-report">
            {t('oreport.generate.submit')}
          </button>
          {busy && (
            <p className="muted" role="status" aria-live="polite">
              <progress /> {t('oreport.generate.busy')}
            </p>
          )}
        </Form>
      </section>
      <ReportList reports={reports} basePath="/operator/reports" lang={lang} />
    </>
  )
}
