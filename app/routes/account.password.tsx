import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { AccountNav } from '#app/components/account-nav.tsx'
import { AuthFormError } from '#app/components/auth-form.tsx'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { changePassword } from '#app/domain.server.ts'
import { invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { Field } from '#app/forms/field.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { refusedAuthStep } from '#app/lib/auth-refusal.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { getSessionToken, requireActor, requireUser, ROLE_HOME } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// Every user changes their own password here; a first sign-in with an initial password, or a password older than
// PASSWORD_MAX_AGE_DAYS, is sent here before anything else (app/session.server.ts).

// The auditor too: its own password and second factor are the only things it changes (ADR 0026).
const ROLES = ['bureau', 'operator', 'source_unit', 'partner_admin', 'partner_developer', 'auditor'] as const

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ROLES)
  return { restriction: user.restriction, maxAgeDays: context.platform.env.PASSWORD_MAX_AGE_DAYS }
}

const schema = z
  .object({
    currentPassword: z.string().min(1, 'required').max(200, 'password_too_long'),
    newPassword: z.string().min(1, 'required').max(200, 'password_too_long'),
    newPasswordAgain: z.string().max(200, 'password_too_long'),
  })
  .superRefine((v, ctx) => {
    if (v.newPassword !== v.newPasswordAgain)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['newPasswordAgain'], message: 'password_mismatch' })
  })

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, actor } = await requireActor(request, context, ROLES)
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  const result = await changePassword(context.platform.db, {
    userId: user.id,
    currentPassword: parsed.data.currentPassword,
    newPassword: parsed.data.newPassword,
    actor,
    sessionToken: (await getSessionToken(request, context)) ?? undefined,
    address: context.platform.clientAddress,
    requestId: context.platform.requestId,
  })
  // A wrong current password or a rule broken: next to its field; a lock (wrong passwords here count): above.
  if (!result.ok) return refusedAuthStep(result.error)
  // A forced change done: on to the role's home (which sends on to 2FA enrolment if that is due too).
  return redirect(user.restriction ? ROLE_HOME[user.role] : '/account/password?done=1')
}

export default function AccountPassword() {
  const { restriction, maxAgeDays } = useLoaderData<typeof loader>()
  const reply = useActionData<FormReply>() ?? null
  const [params] = useSearchParams()
  const t = useT()
  const busy = useNavigation().state !== 'idle'
  return (
    <div className="panel" style={{ maxWidth: 520 }}>
      {!restriction && <AccountNav />}
      <h1>{t('auth.password.title')}</h1>
      {restriction === 'initial_password' && (
        <p className="notice" data-testid="password-required">
          {t('auth.password.initial')}
        </p>
      )}
      {restriction === 'password_expired' && (
        <p className="notice" data-testid="password-required">
          {t('auth.password.expired', { days: maxAgeDays })}
        </p>
      )}
      {params.get('done') && !reply && (
        <p className="notice" role="status" data-testid="password-changed">
          {t('auth.password.done')}
        </p>
      )}
      <AuthFormError reply={reply} />
      <p className="muted">{t('auth.password.rules')}</p>
      <Form method="post" className="stack" noValidate>
        <Field
          label={t('auth.password.current')}
          error={reply?.fields.currentPassword}
          area="auth"
          errorTestId="currentPassword-error"
        >
          <input name="currentPassword" type="password" autoComplete="current-password" />
        </Field>
        <Field label={t('auth.password.new')} error={reply?.fields.newPassword} area="auth" errorTestId="newPassword-error">
          <input name="newPassword" type="password" autoComplete="new-password" />
        </Field>
        <Field
          label={t('auth.password.again')}
          error={reply?.fields.newPasswordAgain}
          area="auth"
          errorTestId="newPasswordAgain-error"
        >
          <input name="newPasswordAgain" type="password" autoComplete="new-password" />
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {t('auth.password.submit')}
        </button>
      </Form>
    </div>
  )
}
