import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { escalateOverdueCases, listCases, reportProblem } from '#app/domain.server.ts'
import { CaseTable } from '#app/components/case-view.tsx'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { Field, FormError, replyFor } from '#app/forms/field.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { useT } from '#app/i18n/use-t.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// The bureau's rectification cases (Art. 26–27; ADR 0028): every case, a regulator's report recorded, the deadline
// check run now.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  return { cases: await listCases(context.platform.db, { actor }) }
}

const schema = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('report'),
    regulatorName: z.string().trim().min(1, 'required').max(100, 'too_long'),
    report: z.string().trim().min(1, 'required').max(2000, 'too_long'),
  }),
  z.object({ intent: z.literal('escalate') }),
])

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  const form = Object.fromEntries(await readForm(request, context))
  const target = typeof form.intent === 'string' ? form.intent : null
  const parsed = schema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const { db, requestId } = context.platform
  if (parsed.data.intent === 'escalate') {
    const result = await escalateOverdueCases(db, { actor, requestId })
    if (!result.ok) return failedForm(result.error, { target })
    return redirect(`/bureau/cases?escalated=${result.value.escalated.length}`)
  }
  const { regulatorName, report } = parsed.data
  const result = await reportProblem(db, { actor, regulatorName, report, requestId })
  if (!result.ok) return failedForm(result.error, { target })
  return redirect(`/bureau/cases/${encodeURIComponent(result.value.code)}`)
}

export default function BureauCases() {
  const { cases } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const busy = useNavigation().state !== 'idle'
  const report = replyFor(data, 'report')
  return (
    <>
      <h1>{t('cases.title')}</h1>
      <p className="lead">{t('cases.bureauIntro')}</p>
      {params.get('escalated') && !data && (
        <p className="notice" role="status" data-testid="escalated">
          {t('cases.escalated', { n: params.get('escalated')! })}
        </p>
      )}
      <Form method="post" className="inline">
        <input type="hidden" name="intent" value="escalate" />
        <button type="submit" disabled={busy} data-testid="escalate-now">
          {t('cases.escalateNow')}
        </button>
        <FormError code={replyFor(data, 'escalate')?.formError} area="cases" />
      </Form>
      <CaseTable cases={cases} linkOf={(code) => `/bureau/cases/${encodeURIComponent(code)}`} />
      <details open={Boolean(report)}>
        <summary data-testid="regulator-report-open">{t('cases.report.regulatorTitle')}</summary>
        <Form method="post" className="stack" noValidate data-testid="regulator-report-form">
          <input type="hidden" name="intent" value="report" />
          <Field label={t('cases.report.regulator')} error={report?.fields.regulatorName} area="cases">
            <input name="regulatorName" maxLength={100} />
          </Field>
          <Field label={t('cases.report.text')} error={report?.fields.report} area="cases">
            <textarea name="report" rows={3} maxLength={2000} />
          </Field>
          <FormError code={report?.formError} area="cases" />
          <button type="submit" className="primary" disabled={busy}>
            {t('cases.report.submit')}
          </button>
        </Form>
      </details>
    </>
  )
}
