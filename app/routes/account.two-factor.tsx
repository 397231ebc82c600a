import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { AccountNav } from '#app/components/account-nav.tsx'
import { OneTimeCodeField } from '#app/components/auth-form.tsx'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { confirmTwoFactorEnrolment, getTwoFactorStatus, startTwoFactorEnrolment } from '#app/domain.server.ts'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { FormError } from '#app/forms/field.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { getSessionToken, requireActor, requireStepUp, requireUser, ROLE_HOME } from '#app/session.server.ts'
import { authPolicyOf, isTwoFactorRequired } from '#platform/identity/policy.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// TOTP enrolment and re-enrolment: required for the bureau and the operator outside demo mode (they are sent here
// before anything else), optional for the other roles.

// The auditor too: its own password and second factor are the only things it changes (ADR 0026).
const ROLES = ['bureau', 'operator', 'source_unit', 'partner_admin', 'partner_developer', 'auditor'] as const
// The page carries the secret being enrolled, and the answer of a confirmation the recovery codes: never cached.
const NO_STORE = { 'cache-control': 'no-store' }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ROLES)
  const status = await getTwoFactorStatus(context.platform.db, { userId: user.id })
  return Response.json(
    {
      ...status,
      required: isTwoFactorRequired(user.role, authPolicyOf(context.platform.env)),
      restricted: user.restriction === 'enrol_two_factor',
      home: ROLE_HOME[user.role],
    },
    { headers: NO_STORE },
  )
}

export const headers = () => NO_STORE

const schema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('start') }),
  z.object({ intent: z.literal('confirm'), code: z.string().trim().min(1, 'required').max(20, 'invalid_code') }),
])

/** A refusal, or the recovery codes of a confirmed enrolment (shown once). */
type ActionData = FormReply | { recoveryCodes: string[] }

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, actor } = await requireActor(request, context, ROLES)
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  const { db, requestId } = context.platform
  if (parsed.data.intent === 'start') {
    // Replacing a second factor in use is itself consequential: it wants a fresh code from the current one.
    if (user.hasTwoFactor) requireStepUp(request, user)
    const started = await startTwoFactorEnrolment(db, { userId: user.id, actor, requestId })
    if (!started.ok) return failedForm(started.error)
    return redirect('/account/two-factor')
  }
  const result = await confirmTwoFactorEnrolment(db, {
    userId: user.id,
    code: parsed.data.code,
    actor,
    sessionToken: (await getSessionToken(request, context)) ?? undefined,
    requestId,
  })
  if (!result.ok) return failedForm(result.error)
  return Response.json({ recoveryCodes: result.value.recoveryCodes } satisfies ActionData, { headers: NO_STORE })
}

interface LoaderData {
  enabledAt: number | null
  recoveryCodesLeft: number
  pending: { secret: string; uri: string; qrDataUrl: string } | null
  required: boolean
  restricted: boolean
  home: string
}

export default function AccountTwoFactor() {
  const { enabledAt, recoveryCodesLeft, pending, required, restricted, home } = useLoaderData<LoaderData>()
  const data = useActionData<ActionData>()
  const reply = data && 'fields' in data ? data : null
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'

  if (data && 'recoveryCodes' in data) {
    return (
      <div className="panel" style={{ maxWidth: 560 }}>
        <h1>{t('auth.enrol.doneTitle')}</h1>
        <p className="notice">{t('auth.enrol.recoveryIntro')}</p>
        <ol className="recovery-codes" data-testid="recovery-codes">
          {data.recoveryCodes.map((code) => (
            <li key={code}>
              <code>{code}</code>
            </li>
          ))}
        </ol>
        <p>
          <Link to={home} className="button primary" data-testid="enrol-continue">
            {t('auth.enrol.continue')}
          </Link>
        </p>
      </div>
    )
  }

  return (
    <div className="panel" style={{ maxWidth: 560 }}>
      {!restricted && <AccountNav />}
      <h1>{t('auth.enrol.title')}</h1>
      <p className={restricted ? 'notice' : 'lead'} data-testid="two-factor-intro">
        {t(required ? 'auth.enrol.required' : 'auth.enrol.optional')}
      </p>
      <p data-testid="two-factor-status">
        {enabledAt
          ? t('auth.enrol.enabled', { when: formatTime(enabledAt, lang), n: recoveryCodesLeft })
          : t('auth.enrol.notEnabled')}
      </p>
      <FormError code={reply?.formError} area="auth" />
      {pending ? (
        <>
          <p>{t('auth.enrol.scan')}</p>
          <img src={pending.qrDataUrl} alt={t('auth.enrol.qr')} width={220} height={220} data-testid="totp-qr" />
          <p>
            {t('auth.enrol.secret')}: <code data-testid="totp-secret">{pending.secret}</code>
          </p>
          <Form method="post" className="stack" noValidate>
            <input type="hidden" name="intent" value="confirm" />
            <OneTimeCodeField name="code" label={t('auth.enrol.code')} error={reply?.fields.code} numeric />
            <button type="submit" className="primary" disabled={busy}>
              {t('auth.enrol.confirm')}
            </button>
          </Form>
        </>
      ) : (
        <Form method="post" className="stack" noValidate>
          <input type="hidden" name="intent" value="start" />
          {enabledAt && <p className="muted">{t('auth.enrol.restartHint')}</p>}
          <button type="submit" className={enabledAt ? '' : 'primary'} disabled={busy} data-testid="enrol-start">
            {t(enabledAt ? 'auth.enrol.restart' : 'auth.enrol.start')}
          </button>
        </Form>
      )}
    </div>
  )
}
