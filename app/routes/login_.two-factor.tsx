import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { AuthFormError, OneTimeCodeField } from '#app/components/auth-form.tsx'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { verifySecondFactor } from '#app/domain.server.ts'
import { invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { useT } from '#app/i18n/use-t.ts'
import { refusedAuthStep } from '#app/lib/auth-refusal.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import {
  getOptionalUser,
  getPendingSecondFactorUser,
  getSessionToken,
  landingPath,
  ROLE_HOME,
  sessionCookie,
} from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// The second step of a sign-in with 2FA: the password was right, the session waits (5 minutes) for a code.

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (await getPendingSecondFactorUser(request, context)) return null
  const user = await getOptionalUser(request, context)
  throw redirect(user ? ROLE_HOME[user.role] : '/login')
}

const schema = z.object({
  code: z.string().trim().min(1, 'required').max(40, 'invalid_code'),
  redirectTo: z.string().optional(),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  const token = await getSessionToken(request, context)
  const user = await getPendingSecondFactorUser(request, context)
  if (!token || !user) throw redirect('/login?reason=second_factor')
  const result = await verifySecondFactor(context.platform.db, {
    token,
    code: parsed.data.code,
    address: context.platform.clientAddress,
    requestId: context.platform.requestId,
  })
  if (!result.ok) {
    // A wrong code may be tried again; a lock or too many wrong codes end the pending sign-in.
    if (result.error.code === 'invalid_code') return refusedAuthStep(result.error, { codeField: 'code' })
    const clear = { 'set-cookie': await sessionCookie(context).serialize('', { maxAge: 0 }) }
    if (result.error.code === 'account_locked') return refusedAuthStep(result.error, { headers: clear })
    throw redirect('/login?reason=second_factor', { headers: clear })
  }
  return redirect(landingPath(user.role, parsed.data.redirectTo))
}

export default function SecondFactor() {
  const reply = useActionData<FormReply>() ?? null
  const [params] = useSearchParams()
  const t = useT()
  const busy = useNavigation().state !== 'idle'
  return (
    <div className="panel" style={{ maxWidth: 420 }}>
      <h1>{t('auth.2fa.title')}</h1>
      <p className="lead">{t('auth.2fa.prompt')}</p>
      <AuthFormError reply={reply} area="login" testId="login-error" />
      {reply?.formError && (
        <p>
          <Link to="/login">{t('login.title')}</Link>
        </p>
      )}
      <Form method="post" className="stack" noValidate>
        <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? ''} />
        <OneTimeCodeField name="code" label={t('auth.2fa.code')} error={reply?.fields.code} autoFocus />
        <button type="submit" className="primary" disabled={busy}>
          {t('auth.2fa.submit')}
        </button>
      </Form>
    </div>
  )
}
