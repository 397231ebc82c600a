import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { listNotifications, markNotificationsRead, type InboxEntry } from '#app/domain.server.ts'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { FormError } from '#app/forms/field.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import type { MessageKey } from '#app/i18n/messages.ts'
import { formatTime } from '#app/lib/format.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// Every signed-in user's own inbox (ADR 0028): case steps and authorization suspensions that concern them.
const INBOX_ROLES = ['bureau', 'operator', 'source_unit', 'partner_admin', 'partner_developer'] as const

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, actor } = await requireActor(request, context, INBOX_ROLES)
  return { ...(await listNotifications(context.platform.db, { actor })), role: user.role }
}

const schema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('markAll') }),
  z.object({ intent: z.literal('markRead'), id: z.string().uuid('invalid') }),
])

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, INBOX_ROLES)
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  const ids = parsed.data.intent === 'markAll' ? 'all' : [parsed.data.id]
  const result = await markNotificationsRead(context.platform.db, { actor, ids })
  if (!result.ok) return failedForm(result.error)
  return redirect('/inbox')
}

/** Where an entry about a case leads, per role (a source unit sees its reports on one page; developers have none). */
function caseLink(role: string, code: string | null): string | null {
  if (!code) return null
  const c = encodeURIComponent(code)
  if (role === 'bureau') return `/bureau/cases/${c}`
  if (role === 'operator') return `/operator/cases/${c}`
  if (role === 'partner_admin') return `/partner/cases/${c}`
  if (role === 'source_unit') return '/source-unit/cases'
  return null
}

export default function Inbox() {
  const { entries, unread, role } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const text = (e: InboxEntry) =>
    t(`cases.notice.${e.kind}` as MessageKey, { case: '', deadline: '', file: '', authorization: '', dataset: '', ...e.params })
  return (
    <>
      <h1>{t('cases.inbox.title')}</h1>
      <p className="lead" data-testid="inbox-count">
        {t('cases.inbox.unread', { n: unread })}
      </p>
      <FormError code={data?.formError} area="cases" />
      {unread > 0 && (
        <Form method="post">
          <input type="hidden" name="intent" value="markAll" />
          <button type="submit" disabled={busy} data-testid="mark-all">
            {t('cases.inbox.markAll')}
          </button>
        </Form>
      )}
      {entries.length === 0 ? (
        <p className="muted">{t('cases.inbox.none')}</p>
      ) : (
        <ul className="inbox" data-testid="inbox">
          {entries.map((e) => {
            const link = caseLink(role, e.caseCode)
            return (
              <li key={e.id} data-testid={`notice-${e.kind}`} className={e.readAt ? 'muted' : undefined}>
                {formatTime(e.createdAt, lang)} · {link ? <Link to={link}>{text(e)}</Link> : text(e)}{' '}
                {e.readAt ? (
                  <span className="muted">{t('cases.inbox.read')}</span>
                ) : (
                  <Form method="post" className="inline">
                    <input type="hidden" name="intent" value="markRead" />
                    <input type="hidden" name="id" value={e.id} />
                    <button type="submit" disabled={busy}>
                      {t('cases.inbox.markRead')}
                    </button>
                  </Form>
                )}
              </li>
            )
          })}
        </ul>
      )}
    </>
  )
}
