import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { AccountNav } from '#app/components/account-nav.tsx'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { changePassword } from '#app/domain.server.ts'
import { messages, type MessageKey } from '#app/i18n/messages.ts'
import { useT } from '#app/i18n/use-t.ts'
import { formFieldErrors } from '#app/lib/form-errors.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { getSessionToken, requireUser, ROLE_HOME } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// Every user changes their own password here; a first sign-in with an initial password, or a password older than
// PASSWORD_MAX_AGE_DAYS, is sent here before anything else (app/session.server.ts).

const ROLES = ['bureau', 'operator', 'source_unit', 'partner_admin', 'partner_developer'] as const

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

interface ActionData {
  fields: Record<string, string>
  formError: string | null
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context, ROLES)
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) {
    return Response.json({ fields: formFieldErrors(parsed.error), formError: null } satisfies ActionData, { status: 400 })
  }
  const result = await changePassword(context.platform.db, {
    userId: user.id,
    currentPassword: parsed.data.currentPassword,
    newPassword: parsed.data.newPassword,
    actor: { id: user.id, label: user.username, role: user.role },
    sessionToken: (await getSessionToken(request, context)) ?? undefined,
    address: context.platform.clientAddress,
    requestId: context.platform.requestId,
  })
  if (!result.ok) {
    const fields = result.error.fields ?? {}
    return Response.json({ fields, formError: Object.keys(fields).length > 0 ? null : result.error.code } satisfies ActionData, {
      status: result.error.kind === 'locked' ? 423 : 400,
    })
  }
  // A forced change done: on to the role's home (which sends on to 2FA enrolment if that is due too).
  return redirect(user.restriction ? ROLE_HOME[user.role] : '/account/password?done=1')
}

export default function AccountPassword() {
  const { restriction, maxAgeDays } = useLoaderData<typeof loader>()
  const data = useActionData<ActionData>()
  const [params] = useSearchParams()
  const t = useT()
  const busy = useNavigation().state !== 'idle'
  const errorText = (code: string) => {
    const key = `auth.error.${code}`
    return key in messages.zh ? t(key as MessageKey, { until: '' }) : t('auth.error.generic', { code })
  }
  const field = (name: 'currentPassword' | 'newPassword' | 'newPasswordAgain', label: MessageKey, autoComplete: string) => (
    <label>
      {t(label)}
      <input name={name} type="password" autoComplete={autoComplete} aria-invalid={data?.fields[name] ? true : undefined} />
      {data?.fields[name] && (
        <span className="field-error" data-testid={`${name}-error`}>
          {errorText(data.fields[name]!)}
        </span>
      )}
    </label>
  )
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
      {params.get('done') && !data && (
        <p className="notice" role="status" data-testid="password-changed">
          {t('auth.password.done')}
        </p>
      )}
      {data?.formError && (
        <p className="form-error" role="alert">
          {errorText(data.formError)}
        </p>
      )}
      <p className="muted">{t('auth.password.rules')}</p>
      <Form method="post" className="stack" noValidate>
        {field('currentPassword', 'auth.password.current', 'current-password')}
        {field('newPassword', 'auth.password.new', 'new-password')}
        {field('newPasswordAgain', 'auth.password.again', 'new-password')}
        <button type="submit" className="primary" disabled={busy}>
          {t('auth.password.submit')}
        </button>
      </Form>
    </div>
  )
}
