import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import { signIn } from '#app/domain.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { getOptionalUser, landingPath, ROLE_HOME, sessionCookie } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'

const loginSchema = z.object({
  username: z.string().trim().min(1, 'required').max(64),
  password: z.string().min(1, 'required').max(200),
  redirectTo: z.string().optional(),
})

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request, context)
  if (user) throw redirect(ROLE_HOME[user.role])
  return { reason: new URL(request.url).searchParams.get('reason') }
}

interface ActionData {
  fields: Record<string, string>
  formError: 'invalid_credentials' | 'account_locked' | 'too_many_attempts' | null
  /** When a lock or a delay ends (epoch ms). */
  until: number | null
}

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = loginSchema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) {
    const fields: Record<string, string> = {}
    for (const issue of parsed.error.issues) fields[String(issue.path[0])] = 'required'
    return Response.json({ fields, formError: null, until: null } satisfies ActionData, { status: 400 })
  }
  const result = await signIn(context.platform.db, {
    username: parsed.data.username,
    password: parsed.data.password,
    address: context.platform.clientAddress,
    requestId: context.platform.requestId,
  })
  if (!result.ok) {
    const { code, fields } = result.error
    if (code === 'account_locked' || code === 'too_many_attempts') {
      const until = Number(code === 'account_locked' ? fields?.lockedUntil : fields?.retryAt)
      const retryAfter = String(Math.max(1, Math.ceil((until - Date.now()) / 1000)))
      return Response.json({ fields: {}, formError: code, until } satisfies ActionData, {
        status: code === 'account_locked' ? 423 : 429,
        headers: { 'retry-after': retryAfter },
      })
    }
    return Response.json({ fields: {}, formError: 'invalid_credentials', until: null } satisfies ActionData, { status: 401 })
  }
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
  const data = useActionData<ActionData>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  return (
    <div className="panel" style={{ maxWidth: 420 }}>
      <h1>{t('login.title')}</h1>
      {reason === 'idle' && !data && <p className="notice">{t('login.idle')}</p>}
      {reason === 'second_factor' && !data && <p className="notice">{t('auth.error.second_factor_expired')}</p>}
      {data?.formError && (
        <p className="form-error" role="alert" data-testid="login-error">
          {data.formError === 'account_locked'
            ? t('login.account_locked', { until: formatTime(data.until, lang) })
            : data.formError === 'too_many_attempts'
              ? t('login.too_many_attempts', { until: formatTime(data.until, lang) })
              : t('login.invalid_credentials')}
        </p>
      )}
      <Form method="post" className="stack" noValidate>
        <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? ''} />
        <label>
          {t('login.username')}
          <input name="username" autoComplete="username" aria-invalid={data?.fields.username ? true : undefined} />
          {data?.fields.username && <span className="field-error">{t('login.required')}</span>}
        </label>
        <label>
          {t('login.password')}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            aria-invalid={data?.fields.password ? true : undefined}
          />
          {data?.fields.password && <span className="field-error">{t('login.required')}</span>}
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {t('login.submit')}
        </button>
      </Form>
    </div>
  )
}
