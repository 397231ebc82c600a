import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { AuthFormError, OneTimeCodeField } from '#app/components/auth-form.tsx'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { stepUp } from '#app/domain.server.ts'
import { invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { useT } from '#app/i18n/use-t.ts'
import { refusedAuthStep } from '#app/lib/auth-refusal.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { getSessionToken, landingPath, requireUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// Step-up: a fresh code before a consequential action (app/session.server.ts requireStepUp sends here and back).

// The auditor too: its own password and second factor are the only things it changes (ADR 0026).
const ROLES = ['bureau', 'operator', 'source_unit', 'partner_admin', 'partner_developer', 'auditor'] as const

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

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context, ROLES)
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  const token = await getSessionToken(request, context)
  const result = await stepUp(context.platform.db, {
    token: token ?? '',
    code: parsed.data.code,
    address: context.platform.clientAddress,
    requestId: context.platform.requestId,
  })
  if (!result.ok) return refusedAuthStep(result.error, { codeField: 'code' })
  return redirect(landingPath(user.role, parsed.data.redirectTo))
}

export default function StepUp() {
  const reply = useActionData<FormReply>() ?? null
  const [params] = useSearchParams()
  const t = useT()
  const busy = useNavigation().state !== 'idle'
  return (
    <div className="panel" style={{ maxWidth: 460 }}>
      <h1>{t('auth.stepUp.title')}</h1>
      <p className="lead">{t('auth.stepUp.intro')}</p>
      <AuthFormError reply={reply} />
      <Form method="post" className="stack" noValidate data-testid="step-up-form">
        <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? ''} />
        <OneTimeCodeField name="code" label={t('auth.2fa.code')} error={reply?.fields.code} autoFocus />
        <button type="submit" className="primary" disabled={busy}>
          {t('auth.stepUp.submit')}
        </button>
      </Form>
    </div>
  )
}
