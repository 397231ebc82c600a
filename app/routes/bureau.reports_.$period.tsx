import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import {
  COMMENT_INPUT_MAX,
  OperationReportView,
  ReportDownloads,
  ReportVersions,
} from '#app/components/operation-report-view.tsx'
import { BUREAU_COMMENT_MAX_LENGTH, decideOperationReport } from '#app/domain.server.ts'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { ConfirmButton, FieldError, FormError } from '#app/forms/field.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { loadOperationReportPage } from '#app/lib/operation-report-page.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { getLang, requireActor } from '#app/session.server.ts'

// One operation report, the bureau's side (Art. 25; ADR 0035): read a submitted version, acknowledge it or return it
// with comments. Drafts are never shown here.
export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  return loadOperationReportPage(context, actor, params.period ?? '', new URL(request.url), await getLang(request))
}

const schema = z.object({
  intent: z.enum(['acknowledge', 'return'], { message: 'invalid' }),
  version: z.coerce.number({ message: 'invalid' }).int('invalid').min(1, 'invalid').max(9999, 'invalid'),
  comment: z
    .string()
    .max(BUREAU_COMMENT_MAX_LENGTH + 200, 'too_long')
    .optional(),
})

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  const period = params.period ?? ''
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  const result = await decideOperationReport(context.platform.db, {
    actor,
    period,
    version: parsed.data.version,
    decision: parsed.data.intent,
    comment: parsed.data.comment ?? null,
    requestId: context.platform.requestId,
  })
  if (!result.ok) return failedForm(result.error, { shownFields: ['comment'] })
  return redirect(`/bureau/reports/${encodeURIComponent(period)}?decided=${result.value.state}`)
}

export default function BureauReport() {
  const { report, charts, labels, sections } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const busy = useNavigation().state !== 'idle'
  const shown = report.shown
  const awaiting = shown.state === 'submitted' && shown.version === report.versions.at(-1)!.version
  return (
    <>
      <p>
        <a href="/bureau/reports">← {t('oreport.bureau.title')}</a>
      </p>
      <h1>{t('oreport.heading', { period: report.period })}</h1>
      {params.get('decided') && !data && (
        <p className="notice" role="status" data-testid="report-notice">
          {t('oreport.decided')}
        </p>
      )}
      <ReportDownloads period={report.period} version={shown.version} />
      {awaiting && (
        <section className="card">
          <Form method="post" noValidate>
            <input type="hidden" name="version" value={shown.version} />
            <label>
              {t('oreport.comment')}
              <textarea name="comment" rows={3} maxLength={COMMENT_INPUT_MAX} data-testid="bureau-comment-input" />
            </label>
            <FieldError code={data?.fields.comment} area="oreport" testId="comment-error" />
            <FormError code={data?.formError} area="oreport" />
            <ConfirmButton
              question={t('oreport.acknowledge.confirm')}
              name="intent"
              value="acknowledge"
              className="primary"
              disabled={busy}
              data-testid="acknowledge-report"
            >
              {t('oreport.acknowledge')}
            </ConfirmButton>{' '}
            <button type="submit" name="intent" value="return" disabled={busy} data-testid="return-report">
              {t('oreport.return')}
            </button>
          </Form>
        </section>
      )}
      <OperationReportView report={report} charts={charts} labels={labels} sections={sections} />
      <ReportVersions report={report} basePath={`/bureau/reports/${report.period}`} />
    </>
  )
}
