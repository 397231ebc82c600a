import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { signIn } from '#app/domain.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { isWithinArea, safeRedirect } from '#app/lib/safe-redirect.ts'
import { getOptionalUser, ROLE_HOME, sessionCookie } from '#app/session.server.ts'
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

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = loginSchema.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) {
    const fields: Record<string, string> = {}
    for (const issue of parsed.error.issues) fields[String(issue.path[0])] = 'required'
    return Response.json({ fields, formError: null, lockedUntil: null }, { status: 400 })
  }
  const result = await signIn(context.platform.db, {
    username: parsed.data.username,
    password: parsed.data.password,
    requestId: context.platform.requestId,
  })
  if (!result.ok) {
    const lockedUntil = result.error.code === 'account_locked' ? Number(result.error.fields?.lockedUntil) : null
    return Response.json(
      { fields: {}, formError: result.error.code, lockedUntil },
      { status: result.error.code === 'account_locked' ? 423 : 401 },
    )
  }
  const home = ROLE_HOME[result.value.user.role]
  const wanted = safeRedirect(parsed.data.redirectTo, home)
  // Land on the requested page only if it belongs to this role's area; else the role's home.
  const target = isWithinArea(wanted, home) ? wanted : home
  return redirect(target, { headers: { 'set-cookie': await sessionCookie(context).serialize(result.value.token) } })
}

interface ActionData {
  fields: Record<string, string>
  formError: 'invalid_credentials' | 'account_locked' | null
  lockedUntil: number | null
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
      {data?.formError && (
        <p className="form-error" role="alert" data-testid="login-error">
          {data.formError === 'account_locked'
            ? t('login.account_locked', { until: formatTime(data.lockedUntil, lang) })
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
