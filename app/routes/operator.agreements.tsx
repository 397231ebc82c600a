import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { draftAgreementVersion, listAgreementVersions, parseDay } from '#app/domain.server.ts'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { Field, FormError } from '#app/forms/field.tsx'
import { AgreementVersionsTable } from '#app/components/agreement-versions-table.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor, requireUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  return { versions: await listAgreementVersions(context.platform.db) }
}

const day = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const ms = parseDay(v)
    if (ms === null) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'invalid' })
    return ms ?? 0
  })

const schema = z.object({
  kind: z.enum(['cooperation', 'platform_service'], { message: 'invalid' }),
  titleZh: z.string().trim().min(1, 'required').max(200, 'length'),
  titleEn: z.string().trim().min(1, 'required').max(200, 'length'),
  bodyZh: z.string().trim().min(1, 'required').max(50_000, 'length'),
  bodyEn: z.string().trim().min(1, 'required').max(50_000, 'length'),
  effectiveOn: day,
  acceptByOn: z.union([z.literal('').transform(() => null), day]).optional(),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  const { effectiveOn, acceptByOn, ...rest } = parsed.data
  const result = await draftAgreementVersion(context.platform.db, {
    ...rest,
    effectiveAt: effectiveOn,
    acceptBy: acceptByOn ?? null,
    actor,
    requestId: context.platform.requestId,
  })
  if (!result.ok) {
    const { effectiveAt, acceptBy, ...fields } = result.error.fields ?? {}
    return failedForm({
      ...result.error,
      fields: { ...fields, ...(effectiveAt ? { effectiveOn: effectiveAt } : {}), ...(acceptBy ? { acceptByOn: acceptBy } : {}) },
    })
  }
  return redirect(`/operator/agreements?drafted=${result.value.version}`)
}

export default function OperatorAgreements() {
  const { versions } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const busy = useNavigation().state !== 'idle'
  const f = data?.fields ?? {}
  return (
    <>
      <h1>{t('agree.operator.title')}</h1>
      <p className="lead">{t('agree.operator.intro')}</p>
      {params.get('drafted') && !data && (
        <p className="notice" role="status" data-testid="agreement-drafted">
          {t('agree.drafted', { version: params.get('drafted') ?? '' })}
        </p>
      )}
      <AgreementVersionsTable versions={versions} />
      <h2>{t('agree.draft.title')}</h2>
      <Form method="post" noValidate data-testid="agreement-draft-form">
        <Field label={t('agree.kind')} error={f.kind} area="agree">
          <select name="kind" defaultValue="cooperation">
            <option value="cooperation">{t('agree.kind.cooperation')}</option>
            <option value="platform_service">{t('agree.kind.platform_service')}</option>
          </select>
        </Field>
        <Field label={t('agree.titleZh')} error={f.titleZh} area="agree">
          <input name="titleZh" maxLength={200} />
        </Field>
        <Field label={t('agree.titleEn')} error={f.titleEn} area="agree">
          <input name="titleEn" maxLength={200} />
        </Field>
        <Field label={t('agree.bodyZh')} error={f.bodyZh} area="agree">
          <textarea name="bodyZh" rows={8} maxLength={50_000} />
        </Field>
        <Field label={t('agree.bodyEn')} error={f.bodyEn} area="agree">
          <textarea name="bodyEn" rows={8} maxLength={50_000} />
        </Field>
        <Field label={t('agree.effectiveAt')} error={f.effectiveOn} area="agree">
          <input type="date" name="effectiveOn" />
        </Field>
        <Field label={t('agree.acceptBy')} error={f.acceptByOn} area="agree">
          <input type="date" name="acceptByOn" />
        </Field>
        <FormError code={data?.formError} area="agree" />
        <button type="submit" className="primary" disabled={busy}>
          {t('agree.draft.submit')}
        </button>
      </Form>
    </>
  )
}
