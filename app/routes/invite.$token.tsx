import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { acceptUserInvite, findUserInvite, signIn } from '#app/domain.server.ts'
import { failedForm, formError, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { Field, FormError } from '#app/forms/field.tsx'
import { useErrorMessage } from '#app/forms/error-message.ts'
import { useT } from '#app/i18n/use-t.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { getOptionalUser, landingPath, sessionCookie } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// The invite of a new partner administrator (ADR 0030): set a password by the rules, then signed in. The token (the
// one the operator sent, or the applicant's status link) is the only authority; unknown → 404, used/expired → said so.
// A route's meta replaces the root's: the page keeps its title (axe `document-title`).
export const meta: MetaFunction = () => [{ title: '沈阳市公共数据授权运营平台' }, { name: 'robots', content: 'noindex' }]

const schema = z.object({
  password: z.string().min(1, 'required').max(200, 'too_long'),
  confirm: z.string().max(200, 'too_long'),
})

export async function loader({ params, context }: LoaderFunctionArgs) {
  const invite = await findUserInvite(context.platform.db, { token: params.token ?? '' })
  if (!invite) throw new Response('Not found', { status: 404 })
  return { invite }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  // Applying and accepting an invite are for visitors: a signed-in account (an auditor's, a partner's) posts nothing here.
  if (await getOptionalUser(request, context)) throw new Response('Forbidden', { status: 403 })
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  if (parsed.data.password !== parsed.data.confirm) return formError('passwords_differ')
  const { db } = context.platform
  const accepted = await acceptUserInvite(db, {
    token: params.token ?? '',
    password: parsed.data.password,
    address: context.platform.clientAddress,
    requestId: context.platform.requestId,
  })
  if (!accepted.ok) return failedForm(accepted.error)
  const signedIn = await signIn(db, {
    username: accepted.value.username,
    password: parsed.data.password,
    address: context.platform.clientAddress,
    requestId: context.platform.requestId,
  })
  // The password is set either way; should the sign-in be refused (a throttle), the login page is the way on.
  if (!signedIn.ok) return redirect('/login')
  const cookie = { headers: { 'set-cookie': await sessionCookie(context).serialize(signedIn.value.token) } }
  return redirect(landingPath(signedIn.value.user.role, null), cookie)
}

export default function Invite() {
  const { invite } = useLoaderData<typeof loader>()
  const reply = useActionData<FormReply>() ?? null
  const t = useT()
  const text = useErrorMessage('apply')
  const busy = useNavigation().state !== 'idle'
  return (
    <div className="panel" style={{ maxWidth: 480 }}>
      <h1>{t('invite.title')}</h1>
      {invite.state !== 'valid' ? (
        <>
          <p className="form-error" role="alert" data-testid="invite-refused" data-state={invite.state}>
            {text(invite.state === 'used' ? 'invite_used' : 'invite_expired')}
          </p>
          <Link to="/login">{t('nav.signIn')}</Link>
        </>
      ) : (
        <>
          <p className="lead">{t('invite.intro', { username: invite.username, partner: invite.partnerName ?? '' })}</p>
          <FormError code={reply?.formError} area="apply" testId="invite-error" />
          <Form method="post" className="stack" noValidate>
            <Field label={t('invite.password')} error={reply?.fields.password} area="auth" hint={t('invite.hint')}>
              <input name="password" type="password" autoComplete="new-password" data-testid="invite-password" />
            </Field>
            <Field label={t('invite.confirm')} error={reply?.fields.confirm} area="apply">
              <input name="confirm" type="password" autoComplete="new-password" data-testid="invite-confirm" />
            </Field>
            <button type="submit" className="primary" disabled={busy} data-testid="invite-submit">
              {t('invite.submit')}
            </button>
          </Form>
        </>
      )}
    </div>
  )
}
