import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import {
  NARRATIVE_FIELDS,
  NARRATIVE_INPUT_MAX,
  OperationReportView,
  ReportDownloads,
  ReportVersions,
} from '#app/components/operation-report-view.tsx'
import {
  generateOperationReport,
  NARRATIVE_KEYS,
  NARRATIVE_MAX_LENGTH,
  saveReportNarrative,
  submitOperationReport,
} from '#app/domain.server.ts'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { ConfirmButton, Field, FormError, replyFor } from '#app/forms/field.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { loadOperationReportPage } from '#app/lib/operation-report-page.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { getLang, requireActor } from '#app/session.server.ts'

// One operation report, the operator's side (Art. 25; ADR 0035): the figures and charts of a version, the narrative of
// the draft, submitting it; after a return, revising it into the next version.
export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  return loadOperationReportPage(context, actor, params.period ?? '', new URL(request.url), await getLang(request))
}

const text = z
  .string()
  .max(NARRATIVE_MAX_LENGTH + 200, 'too_long')
  .optional()
const schema = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('save'),
    summary: text,
    storage: text,
    interaction: text,
    processing: text,
    fusion: text,
    market: text,
  }),
  z.object({ intent: z.literal('submit') }),
  z.object({ intent: z.literal('generate') }),
])

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const period = params.period ?? ''
  const form = Object.fromEntries(await readForm(request, context))
  const target = typeof form.intent === 'string' ? form.intent : null
  const parsed = schema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const base = { actor, period, requestId: context.platform.requestId }
  const db = context.platform.db
  const here = `/operator/reports/${encodeURIComponent(period)}`
  switch (parsed.data.intent) {
    case 'save': {
      const { intent: _intent, ...narrative } = parsed.data
      const result = await saveReportNarrative(db, { ...base, narrative })
      if (!result.ok) return failedForm(result.error, { target, shownFields: [...NARRATIVE_KEYS] })
      return redirect(`${here}?saved=1`)
    }
    case 'submit': {
      const result = await submitOperationReport(db, base)
      if (!result.ok) return failedForm(result.error, { target, shownFields: [] })
      return redirect(`${here}?submitted=${result.value.version}`)
    }
    case 'generate': {
      const result = await generateOperationReport(db, base)
      if (!result.ok) return failedForm(result.error, { target, shownFields: [] })
      return redirect(`${here}?generated=${result.value.version}`)
    }
  }
}

export default function OperatorReport() {
  const { report, charts, labels, sections } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const busy = useNavigation().state !== 'idle'
  const shown = report.shown
  const latest = report.versions.at(-1)!
  const isLatest = shown.version === latest.version
  const save = replyFor(data, 'save')
  const notice = params.get('saved')
    ? t('oreport.narrative.saved')
    : params.get('submitted')
      ? t('oreport.submitted')
      : params.get('generated')
        ? t('oreport.generated', { period: report.period, version: params.get('generated') ?? '' })
        : null
  return (
    <>
      <p>
        <a href="/operator/reports">← {t('oreport.operator.title')}</a>
      </p>
      <h1>{t('oreport.heading', { period: report.period })}</h1>
      {notice && !data && (
        <p className="notice" role="status" data-testid="report-notice">
          {notice}
        </p>
      )}
      <ReportDownloads period={report.period} version={shown.version} />
      {isLatest && (latest.state === 'draft' || latest.state === 'returned') && (
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="generate" />
          <FormError code={replyFor(data, 'generate')?.formError} area="oreport" />
          <button type="submit" disabled={busy} data-testid="regenerate-report">
            {latest.state === 'returned' ? t('oreport.revise') : t('oreport.regenerate')}
          </button>
          {busy && <progress aria-label={t('oreport.generate.busy')} />}
        </Form>
      )}
      {isLatest && shown.state === 'draft' && (
        <section className="card">
          <h2>{t('oreport.narrative.title')}</h2>
          <Form method="post" noValidate>
            <input type="hidden" name="intent" value="save" />
            {NARRATIVE_FIELDS.map((key) => (
              <Field key={key} label={sections[key]} error={save?.fields[key]} area="oreport" errorTestId={`${key}-error`}>
                <textarea
                  name={key}
                  rows={key === 'summary' ? 5 : 3}
                  maxLength={NARRATIVE_INPUT_MAX}
                  defaultValue={shown.narrative[key] ?? ''}
                  data-testid={`narrative-${key}`}
                />
              </Field>
            ))}
            <FormError code={save?.formError} area="oreport" />
            <button type="submit" disabled={busy} data-testid="save-narrative">
              {t('oreport.narrative.save')}
            </button>
          </Form>
          <Form method="post" noValidate>
            <input type="hidden" name="intent" value="submit" />
            <FormError code={replyFor(data, 'submit')?.formError} area="oreport" testId="submit-error" />
            <ConfirmButton question={t('oreport.submit.confirm')} className="primary" disabled={busy} data-testid="submit-report">
              {t('oreport.submit')}
            </ConfirmButton>
          </Form>
        </section>
      )}
      <OperationReportView report={report} charts={charts} labels={labels} sections={sections} />
      <ReportVersions report={report} basePath={`/operator/reports/${report.period}`} />
    </>
  )
}
