import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { liftSignInLocks, listSignInLocks } from '#app/domain.server.ts'
import { FormError } from '#app/forms/field.tsx'
import { failedForm, formError, type FormReply } from '#app/forms/action-reply.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor } from '#app/session.server.ts'
import { HTTP_STATUS_OF_KIND } from '#platform/result.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// Sign-in locks and delays in force, for the bureau and the operator to see and lift (each lift audited).

const ROLES = ['bureau', 'operator'] as const

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ROLES)
  const locks = await listSignInLocks(context.platform.db, { actor })
  if (!locks.ok) throw new Response(locks.error.code, { status: HTTP_STATUS_OF_KIND[locks.error.kind] })
  return { locks: locks.value }
}

const schema = z.object({
  scope: z.enum(['account_address', 'address', 'account']),
  subject: z.string().min(1, 'required').max(200, 'invalid'),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ROLES)
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  // Both fields are hidden (a row's lock): a bad one is the form's error, not a field's.
  if (!parsed.success) return formError('invalid')
  const result = await liftSignInLocks(context.platform.db, {
    select: parsed.data,
    actor,
    requestId: context.platform.requestId,
  })
  if (!result.ok) return failedForm(result.error)
  return redirect(`/security/sign-in-locks?lifted=${result.value.lifted}`)
}

export default function SignInLocks() {
  const { locks } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  return (
    <>
      <h1>{t('auth.locks.title')}</h1>
      <p className="lead">{t('auth.locks.intro')}</p>
      {params.get('lifted') && !data && (
        <p className="notice" role="status" data-testid="locks-lifted">
          {t('auth.locks.lifted', { n: params.get('lifted')! })}
        </p>
      )}
      <FormError code={data?.formError} area="auth" />
      {locks.length === 0 ? (
        <p className="muted" data-testid="no-locks">
          {t('auth.locks.none')}
        </p>
      ) : (
        <table data-testid="sign-in-locks">
          <thead>
            <tr>
              <th>{t('auth.locks.scope')}</th>
              <th>{t('auth.locks.username')}</th>
              <th>{t('auth.locks.address')}</th>
              <th>{t('auth.locks.attempts')}</th>
              <th>{t('auth.locks.refused')}</th>
              <th>{t('auth.locks.until')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {locks.map((lock) => (
              <tr key={`${lock.scope}:${lock.subject}`} data-testid={`lock-${lock.scope}`}>
                <td>{t(`auth.locks.scope.${lock.scope}`)}</td>
                <td>{lock.username ?? '—'}</td>
                <td>
                  <code>{lock.address ?? '—'}</code>
                </td>
                <td>{lock.attempts}</td>
                <td>{lock.refused}</td>
                <td>{formatTime(lock.blockedUntil, lang)}</td>
                <td>
                  <Form method="post" className="inline">
                    <input type="hidden" name="scope" value={lock.scope} />
                    <input type="hidden" name="subject" value={lock.subject} />
                    <button type="submit" disabled={busy}>
                      {t('auth.locks.lift')}
                    </button>
                  </Form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}
