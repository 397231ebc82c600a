import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import { listAuthorizations, terminateAuthorization } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { AuthorizationTable } from '#app/components/catalog/authorization-table.tsx'
import { Field, FormError, type CatalogActionData } from '#app/components/catalog/catalog-ui.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { requireStepUp, requireUser } from '#app/session.server.ts'
import { formFieldErrors } from '#app/lib/form-errors.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { userActor } from '#platform/identity/permissions.ts'

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
  const user = await requireUser(request, context, ['bureau'])
  const form = Object.fromEntries(await readForm(request, context))
  const target = typeof form.code === 'string' ? form.code : null
  const parsed = schema.safeParse(form)
  if (!parsed.success) {
    const fields = formFieldErrors(parsed.error)
    return Response.json({ target, fields, formError: null } satisfies CatalogActionData, { status: 400 })
  }
  requireStepUp(request, user)
  const result = await terminateAuthorization(context.platform.db, {
    actor: userActor(user),
    requestId: context.platform.requestId,
    code: parsed.data.code,
    reason: parsed.data.reason,
  })
  if (!result.ok) {
    if (result.error.code === 'authorization_not_found') throw new Response('Not found', { status: 404 })
    const fields = result.error.fields ?? {}
    return Response.json(
      { target, fields, formError: Object.keys(fields).length > 0 ? null : result.error.code } satisfies CatalogActionData,
      { status: 400 },
    )
  }
  return redirect(`/bureau/authorizations?terminated=${encodeURIComponent(result.value.code)}&rows=${result.value.rowsDeleted}`)
}

export default function BureauAuthorizations() {
  const { authorizations, now } = useLoaderData<typeof loader>()
  const data = useActionData<CatalogActionData>()
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
          if (a.state !== 'active') return null
          const failure = data?.target === a.code ? data : null
          return (
            <details open={Boolean(failure)}>
              <summary data-testid="terminate-open">{t('catalog.auth.terminate')}</summary>
              <FormError code={failure?.formError} />
              <Form method="post" className="stack" noValidate>
                <input type="hidden" name="code" value={a.code} />
                <Field label={t('catalog.auth.reason')} error={failure?.fields.reason}>
                  <textarea name="reason" rows={2} maxLength={1000} aria-invalid={failure?.fields.reason ? true : undefined} />
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
