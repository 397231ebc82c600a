import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import { listAuthorizations, terminateAuthorization } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { AuthorizationTable } from '#app/components/catalog/authorization-table.tsx'
import { Field, FormError, replyFor } from '#app/forms/field.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { useT } from '#app/i18n/use-t.ts'
import { requireActor, requireStepUp, requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['bureau'])
  return { authorizations: await listAuthorizations(context.platform.db), now: Date.now() }
}

const schema = z.object({
  code: z.string().min(1, 'required'),
  reason: z.string().trim().min(1, 'required').max(1000, 'too_long'),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, actor } = await requireActor(request, context, ['bureau'])
  const form = Object.fromEntries(await readForm(request, context))
  const target = typeof form.code === 'string' ? form.code : null
  const parsed = schema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  requireStepUp(request, user)
  const result = await terminateAuthorization(context.platform.db, {
    actor,
    requestId: context.platform.requestId,
    code: parsed.data.code,
    reason: parsed.data.reason,
  })
  if (!result.ok) return failedForm(result.error, { target })
  return redirect(`/bureau/authorizations?terminated=${encodeURIComponent(result.value.code)}&rows=${result.value.rowsDeleted}`)
}

export default function BureauAuthorizations() {
  const { authorizations, now } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const busy = useNavigation().state !== 'idle'
  const terminated = params.get('terminated')
  return (
    <>
      <h1>{t('catalog.auth.title')}</h1>
      <p className="lead">{t('catalog.auth.bureauIntro')}</p>
      {terminated && !data && (
        <p className="notice" role="status" data-testid="terminated">
          {t('catalog.auth.terminatedNotice', { code: terminated, n: params.get('rows') ?? '0' })}
        </p>
      )}
      <AuthorizationTable
        rows={authorizations}
        now={now}
        showSourceUnit
        actions={(a) => {
          if (a.state !== 'active' && a.state !== 'suspended') return null
          const failure = replyFor(data, a.code)
          return (
            <details open={Boolean(failure)}>
              <summary data-testid="terminate-open">{t('catalog.auth.terminate')}</summary>
              <FormError code={failure?.formError} area="catalog" />
              <Form method="post" className="stack" noValidate>
                <input type="hidden" name="code" value={a.code} />
                <Field label={t('catalog.auth.reason')} error={failure?.fields.reason} area="catalog">
                  <textarea name="reason" rows={2} maxLength={1000} />
                </Field>
                <button type="submit" className="primary" disabled={busy} data-testid="terminate">
                  {t('catalog.auth.terminateSubmit')}
                </button>
              </Form>
            </details>
          )
        }}
      />
    </>
  )
}
