import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { endDeveloperAccess, invitePartnerDeveloper, listPartnerTeam, reissueDeveloperInvite } from '#app/domain.server.ts'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { ConfirmButton, Field, FormError } from '#app/forms/field.tsx'
import type { MessageKey } from '#app/i18n/messages.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor } from '#app/session.server.ts'

// A partner's team (ADR 0039): the administrator invites developers (the invite link shown once) and ends their access.

export { GeneralErrorBoundary as ErrorBoundary }

const ROLES = ['partner_admin'] as const
// The answer that carries an invite link (a credential until used) must not be kept by any cache.
const NO_STORE = { headers: { 'cache-control': 'no-store' } }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ROLES)
  return { team: await listPartnerTeam(context.platform.db, { actor }) }
}

const schema = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('invite'),
    username: z.string().max(100, 'too_long'),
    displayName: z.string().max(100, 'too_long'),
  }),
  z.object({ intent: z.literal('reissue'), username: z.string().trim().min(1, 'required').max(100, 'invalid') }),
  z.object({ intent: z.literal('end'), username: z.string().trim().min(1, 'required').max(100, 'invalid') }),
])

type InvitedReply = { invited: { username: string; inviteUrl: string; inviteExpiresAt: number } }

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ROLES)
  const form = Object.fromEntries(await readForm(request, context))
  const parsed = schema.safeParse(form)
  const target = typeof form.username === 'string' && form.intent !== 'invite' ? form.username : 'invite'
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const { db, requestId } = context.platform
  const input = parsed.data
  if (input.intent === 'end') {
    const ended = await endDeveloperAccess(db, { actor, username: input.username, requestId })
    if (!ended.ok) return failedForm(ended.error, { target })
    return redirect(`/partner/team?ended=${encodeURIComponent(ended.value.username)}`)
  }
  const invited =
    input.intent === 'invite'
      ? await invitePartnerDeveloper(db, {
          actor,
          input: { username: input.username, displayName: input.displayName },
          requestId,
        })
      : await reissueDeveloperInvite(db, { actor, username: input.username, requestId })
  if (!invited.ok)
    return failedForm(invited.error, { target, shownFields: input.intent === 'invite' ? ['username', 'displayName'] : [] })
  const reply: InvitedReply = {
    invited: {
      username: invited.value.username,
      inviteUrl: `${new URL(request.url).origin}/invite/${invited.value.inviteToken}`,
      inviteExpiresAt: invited.value.inviteExpiresAt,
    },
  }
  return json(reply, NO_STORE)
}

export default function PartnerTeam() {
  const { team } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply | InvitedReply>()
  const reply = data && 'fields' in data ? data : null
  const invited = data && 'invited' in data ? data.invited : null
  const [params] = useSearchParams()
  const ended = params.get('ended')
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const inviteReply = reply?.target === 'invite' ? reply : null
  return (
    <>
      <h1>{t('team.title')}</h1>
      <p className="lead">{t('team.intro')}</p>
      {ended && !data ? (
        <p className="notice" role="status" data-testid="team-ended">
          {t('team.ended', { username: ended })}
        </p>
      ) : null}
      {invited ? (
        <div className="notice" role="status" data-testid="team-invited">
          <p>{t('team.invite.once', { at: formatTime(invited.inviteExpiresAt, lang), username: invited.username })}</p>
          <code data-testid="team-invite-url">{invited.inviteUrl}</code>
        </div>
      ) : null}
      {reply && reply.target !== 'invite' ? <FormError code={reply.formError} area="team" testId="team-error" /> : null}
      <div className="table-scroll">
        <table data-testid="team-table">
          <thead>
            <tr>
              <th>{t('team.col.username')}</th>
              <th>{t('team.col.name')}</th>
              <th>{t('team.col.role')}</th>
              <th>{t('team.col.state')}</th>
              <th>{t('team.col.lastLogin')}</th>
              <th>{t('team.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {team.map((m) => (
              <tr key={m.username} data-testid={`team-${m.username}`} data-state={m.state}>
                <td>
                  <code>{m.username}</code>
                </td>
                <td>{m.displayName}</td>
                <td>{t(`team.role.${m.role}` as MessageKey)}</td>
                <td>
                  <span className={`badge ${m.state === 'active' ? 'ok' : m.state === 'ended' ? 'bad' : ''}`}>
                    {t(`team.state.${m.state}` as MessageKey)}
                  </span>
                </td>
                <td>{m.lastLoginAt ? formatTime(m.lastLoginAt, lang) : t('team.never')}</td>
                <td>
                  {m.role === 'partner_developer' && m.state !== 'ended' ? (
                    <div className="inline">
                      {m.state !== 'active' ? (
                        <Form method="post" className="inline">
                          <input type="hidden" name="intent" value="reissue" />
                          <input type="hidden" name="username" value={m.username} />
                          <button type="submit" className="secondary" disabled={busy} data-testid="team-reissue">
                            {t('team.reissue')}
                          </button>
                        </Form>
                      ) : null}
                      <Form method="post" className="inline">
                        <input type="hidden" name="intent" value="end" />
                        <input type="hidden" name="username" value={m.username} />
                        <ConfirmButton question={t('team.end.confirm')} className="danger" disabled={busy} data-testid="team-end">
                          {t('team.end')}
                        </ConfirmButton>
                      </Form>
                    </div>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>{t('team.invite.title')}</h2>
      <FormError code={inviteReply?.formError} area="team" testId="team-invite-error" />
      <Form method="post" className="stack" noValidate data-testid="team-invite-form">
        <input type="hidden" name="intent" value="invite" />
        <Field
          label={t('team.invite.username')}
          hint={t('team.invite.usernameHint')}
          error={inviteReply?.fields.username}
          area="team"
        >
          <input name="username" autoComplete="off" maxLength={40} data-testid="team-username" />
        </Field>
        <Field label={t('team.invite.displayName')} error={inviteReply?.fields.displayName} area="team">
          <input name="displayName" autoComplete="off" maxLength={50} data-testid="team-display-name" />
        </Field>
        <button type="submit" disabled={busy} data-testid="team-invite">
          {t('team.invite.submit')}
        </button>
      </Form>
    </>
  )
}
