import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { decideDatasetLevel, findDatasetGrading, USAGE_REQUIREMENTS_MAX_LENGTH } from '#app/domain.server.ts'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { GradingHistory, GradingProducts, GradingState } from '#app/components/catalog/dataset-grading.tsx'
import { ConfirmButton, Field, FormError } from '#app/forms/field.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// The source unit confirms or changes a dataset's level and states its usage requirements (Art. 5; ADR 0037).
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['source_unit'])
  const grading = await findDatasetGrading(context.platform.db, { actor, code: params.code ?? '' })
  // Another unit's dataset is not this unit's to know of.
  if (!grading) throw new Response('Not found', { status: 404 })
  return { grading }
}

const schema = z.object({
  level: z.string().trim().min(1, 'required').max(8, 'invalid'),
  usageRequirements: z.string().trim().min(1, 'required').max(USAGE_REQUIREMENTS_MAX_LENGTH, 'too_long'),
})

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['source_unit'])
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  const code = params.code ?? ''
  const result = await decideDatasetLevel(context.platform.db, {
    actor,
    datasetCode: code,
    level: parsed.data.level,
    usageRequirements: parsed.data.usageRequirements,
    requestId: context.platform.requestId,
  })
  if (!result.ok) {
    if (result.error.kind === 'not_found') throw new Response('Not found', { status: 404 })
    return failedForm(result.error, { shownFields: ['level', 'usageRequirements'] })
  }
  const suspended = result.value.suspended.map((s) => s.code).join(',')
  return redirect(
    `/source-unit/datasets/${encodeURIComponent(code)}?decided=${result.value.level}${suspended ? `&suspended=${encodeURIComponent(suspended)}` : ''}`,
  )
}

export default function SourceUnitDataset() {
  const { grading: g } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const decided = params.get('decided')
  const suspended = params.get('suspended')
  return (
    <>
      <p>
        <Link to="/source-unit/datasets">← {t('grading.title')}</Link>
      </p>
      <h1>
        {lang === 'zh' ? g.nameZh : g.nameEn} <code>{g.code}</code> <span className="badge">{g.level}</span>
      </h1>
      {decided && !data && (
        <p className="notice" role="status" data-testid="decided">
          {suspended
            ? t('grading.decidedSuspended', { level: decided, products: suspended.split(',').join(t('common.enumeration')) })
            : t('grading.decided', { level: decided })}
        </p>
      )}
      <GradingState row={g} />
      <h2>{t('grading.decide.title')}</h2>
      <Form method="post" className="stack" noValidate data-testid="grading-form">
        <Field
          label={t('grading.level')}
          error={data?.fields.level}
          area="grading"
          hint={t('grading.levelHint')}
          errorTestId="level-error"
        >
          <select name="level" defaultValue={g.state === 'proposed' ? g.proposed.level : g.level}>
            {['L1', 'L2', 'L3', 'L4'].map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label={t('grading.usageRequirements')}
          error={data?.fields.usageRequirements}
          area="grading"
          hint={t('grading.usageRequirementsHint')}
          errorTestId="requirements-error"
        >
          <textarea
            name="usageRequirements"
            rows={4}
            maxLength={USAGE_REQUIREMENTS_MAX_LENGTH}
            defaultValue={g.usageRequirements ?? ''}
          />
        </Field>
        <FormError code={data?.formError} area="grading" />
        <ConfirmButton question={t('grading.decide.confirm')} className="primary" disabled={busy} data-testid="decide">
          {t('grading.decide.submit')}
        </ConfirmButton>
      </Form>
      <h2>{t('grading.products')}</h2>
      <GradingProducts products={g.products} />
      <h2>{t('grading.history')}</h2>
      <GradingHistory history={g.history} />
    </>
  )
}
