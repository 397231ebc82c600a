import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { listCases, reportProblem } from '#app/domain.server.ts'
import { CaseTable } from '#app/components/case-view.tsx'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { Field, FormError } from '#app/forms/field.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { useT } from '#app/i18n/use-t.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// A source unit reports a problem to the bureau and follows its reports (Art. 26; ADR 0028).
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['source_unit'])
  return { cases: await listCases(context.platform.db, { actor }) }
}

const schema = z.object({ report: z.string().trim().min(1, 'required').max(2000, 'too_long') })

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['source_unit'])
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  const result = await reportProblem(context.platform.db, {
    actor,
    report: parsed.data.report,
    requestId: context.platform.requestId,
  })
  if (!result.ok) return failedForm(result.error)
  return redirect(`/source-unit/cases?reported=${encodeURIComponent(result.value.code)}`)
}

export default function SourceUnitCases() {
  const { cases } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const busy = useNavigation().state !== 'idle'
  return (
    <>
      <h1>{t('cases.report.title')}</h1>
      <p className="lead">{t('cases.sourceUnitIntro')}</p>
      {params.get('reported') && !data && (
        <p className="notice" role="status" data-testid="reported">
          {t('cases.reported', { code: params.get('reported')! })}
        </p>
      )}
      <Form method="post" className="stack" noValidate data-testid="report-form">
        <Field label={t('cases.report.text')} error={data?.fields.report} area="cases">
          <textarea name="report" rows={4} maxLength={2000} required />
        </Field>
        <FormError code={data?.formError} area="cases" />
        <button type="submit" className="primary" disabled={busy}>
          {t('cases.report.submit')}
        </button>
      </Form>
      <h2>{t('cases.title')}</h2>
      <CaseTable cases={cases} />
    </>
  )
}
