import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { stepUp } from '#app/domain.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { getSessionToken, landingPath, requireUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// Step-up: a fresh code before a consequential action (app/session.server.ts requireStepUp sends here and back).

const ROLES = ['bureau', 'operator', 'source_unit', 'partner_admin', 'partner_developer'] as const

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ROLES)
  // Nothing to confirm without a second factor: straight back.
  if (!user.hasTwoFactor) throw redirect(landingPath(user.role, new URL(request.url).searchParams.get('redirectTo')))
  return null
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
  const user = await requireUser(request, context, ROLES)
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) {
    return Response.json({ fields: { code: 'required' }, formError: null, until: null } satisfies ActionData, { status: 400 })
  }
  const token = await getSessionToken(request, context)
  const result = await stepUp(context.platform.db, {
    token: token ?? '',
    code: parsed.data.code,
    address: context.platform.clientAddress,
    requestId: context.platform.requestId,
  })
  if (!result.ok) {
    const { code, fields } = result.error
    if (code === 'account_locked') {
      return Response.json({ fields: {}, formError: code, until: Number(fields?.lockedUntil) } satisfies ActionData, {
        status: 423,
      })
    }
    return Response.json({ fields: { code: 'invalid_code' }, formError: null, until: null } satisfies ActionData, {
      status: 401,
    })
  }
  return redirect(landingPath(user.role, parsed.data.redirectTo))
}

export default function StepUp() {
  const data = useActionData<ActionData>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  return (
    <div className="panel" style={{ maxWidth: 460 }}>
      <h1>{t('auth.stepUp.title')}</h1>
      <p className="lead">{t('auth.stepUp.intro')}</p>
      {data?.formError === 'account_locked' && (
        <p className="form-error" role="alert">
          {t('auth.error.account_locked', { until: formatTime(data.until, lang) })}
        </p>
      )}
      <Form method="post" className="stack" noValidate data-testid="step-up-form">
        <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? ''} />
        <label>
          {t('auth.2fa.code')}
          <input name="code" autoComplete="one-time-code" autoFocus aria-invalid={data?.fields.code ? true : undefined} />
          {data?.fields.code && (
            <span className="field-error" data-testid="code-error">
              {t(data.fields.code === 'invalid_code' ? 'auth.error.invalid_code' : 'auth.error.required')}
            </span>
          )}
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {t('auth.stepUp.submit')}
        </button>
      </Form>
    </div>
  )
}
