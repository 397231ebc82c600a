import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { AuthFormError } from '#app/components/auth-form.tsx'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { signIn } from '#app/domain.server.ts'
import { invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { Field } from '#app/forms/field.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { refusedAuthStep } from '#app/lib/auth-refusal.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { getOptionalUser, landingPath, ROLE_HOME, sessionCookie } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

const loginSchema = z.object({
  username: z.string().trim().min(1, 'required').max(64, 'too_long'),
  password: z.string().min(1, 'required').max(200, 'too_long'),
  redirectTo: z.string().optional(),
})

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request, context)
  if (user) throw redirect(ROLE_HOME[user.role])
  return { reason: new URL(request.url).searchParams.get('reason') }
}

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = loginSchema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  const result = await signIn(context.platform.db, {
    username: parsed.data.username,
    password: parsed.data.password,
    address: context.platform.clientAddress,
    requestId: context.platform.requestId,
  })
  // Wrong credentials 401, a lock 423, a sign-in delay 429 (with when it ends).
  if (!result.ok) return refusedAuthStep(result.error)
  const cookie = { headers: { 'set-cookie': await sessionCookie(context).serialize(result.value.token) } }
  if (result.value.stage === 'second_factor') {
    const back = parsed.data.redirectTo ? `?redirectTo=${encodeURIComponent(parsed.data.redirectTo)}` : ''
    return redirect(`/login/two-factor${back}`, cookie)
  }
  // A password to change or a second factor to enrol: the role's pages send there first (requireUser).
  return redirect(landingPath(result.value.user.role, parsed.data.redirectTo), cookie)
}

export default function Login() {
  const { reason } = useLoaderData<typeof loader>()
  const reply = useActionData<FormReply>() ?? null
  const [params] = useSearchParams()
  const t = useT()
  const busy = useNavigation().state !== 'idle'
  return (
    <div className="panel" style={{ maxWidth: 420 }}>
      <h1>{t('login.title')}</h1>
      {reason === 'idle' && !reply && <p className="notice">{t('login.idle')}</p>}
      {reason === 'second_factor' && !reply && <p className="notice">{t('auth.error.second_factor_expired')}</p>}
      {reason === 'expired' && !reply && <p className="notice">{t('login.expired')}</p>}
      <AuthFormError reply={reply} area="login" testId="login-error" />
      <Form method="post" className="stack" noValidate>
        <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? ''} />
        <Field label={t('login.username')} error={reply?.fields.username} area="login">
          <input name="username" autoComplete="username" />
        </Field>
        <Field label={t('login.password')} error={reply?.fields.password} area="login">
          <input name="password" type="password" autoComplete="current-password" />
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {t('login.submit')}
        </button>
      </Form>
    </div>
  )
}
