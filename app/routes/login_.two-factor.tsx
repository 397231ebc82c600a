import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { verifySecondFactor } from '#app/domain.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
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

interface ActionData {
  fields: Record<string, string>
  formError: string | null
  until: number | null
}

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) {
    return Response.json({ fields: { code: 'required' }, formError: null, until: null } satisfies ActionData, { status: 400 })
  }
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
    const { code, fields } = result.error
    if (code === 'invalid_code') {
      return Response.json({ fields: { code: 'invalid_code' }, formError: null, until: null } satisfies ActionData, {
        status: 401,
      })
    }
    const clear = { headers: { 'set-cookie': await sessionCookie(context).serialize('', { maxAge: 0 }) } }
    if (code === 'account_locked') {
      return Response.json({ fields: {}, formError: code, until: Number(fields?.lockedUntil) } satisfies ActionData, {
        status: 423,
        ...clear,
      })
    }
    throw redirect('/login?reason=second_factor', clear)
  }
  return redirect(landingPath(user.role, parsed.data.redirectTo))
}

export default function SecondFactor() {
  const data = useActionData<ActionData>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  return (
    <div className="panel" style={{ maxWidth: 420 }}>
      <h1>{t('auth.2fa.title')}</h1>
      <p className="lead">{t('auth.2fa.prompt')}</p>
      {data?.formError === 'account_locked' && (
        <p className="form-error" role="alert" data-testid="login-error">
          {t('login.account_locked', { until: formatTime(data.until, lang) })} <Link to="/login">{t('login.title')}</Link>
        </p>
      )}
      <Form method="post" className="stack" noValidate>
        <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? ''} />
        <label>
          {t('auth.2fa.code')}
          <input
            name="code"
            autoComplete="one-time-code"
            inputMode="text"
            autoFocus
            aria-invalid={data?.fields.code ? true : undefined}
          />
          {data?.fields.code && (
            <span className="field-error" data-testid="code-error">
              {t(data.fields.code === 'invalid_code' ? 'auth.error.invalid_code' : 'auth.error.required')}
            </span>
          )}
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {t('auth.2fa.submit')}
        </button>
      </Form>
    </div>
  )
}
