import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import {
  approvePartnerApplication,
  findPartnerApplication,
  rejectPartnerApplication,
  startApplicationReview,
} from '#app/domain.server.ts'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { ConfirmButton, Field, FormError, replyFor } from '#app/forms/field.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { useEnumLabel } from '#app/i18n/enum-labels.ts'
import type { MessageKey } from '#app/i18n/messages.ts'
import { formatTime } from '#app/lib/format.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// One application for its reviewer (ADR 0030): answers, documents (downloads), duplicates, credit records; start the
// review, approve (the invite link shown once) or reject with a reason.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const result = await findPartnerApplication(context.platform.db, { actor, number: params.number ?? '' })
  if (!result.ok) throw new Response('Not found', { status: result.error.kind === 'forbidden' ? 403 : 404 })
  return { detail: result.value }
}

const schema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('start') }),
  z.object({ intent: z.literal('approve') }),
  z.object({ intent: z.literal('reject'), reason: z.string().trim().min(1, 'required').max(1000, 'too_long') }),
])

type ApproveReply = { approved: { partnerCode: string; username: string; inviteUrl: string; inviteExpiresAt: number } }

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  const { db, requestId } = context.platform
  const number = params.number ?? ''
  if (parsed.data.intent === 'start') {
    const r = await startApplicationReview(db, { actor, number, requestId })
    return r.ok ? { ok: true } : failedForm(r.error)
  }
  if (parsed.data.intent === 'reject') {
    const r = await rejectPartnerApplication(db, { actor, number, reason: parsed.data.reason, requestId })
    return r.ok ? { ok: true } : failedForm(r.error, { target: 'reject' })
  }
  const r = await approvePartnerApplication(db, { actor, number, requestId })
  if (!r.ok) return failedForm(r.error)
  const origin = new URL(request.url).origin
  const reply: ApproveReply = {
    approved: {
      partnerCode: r.value.partnerCode,
      username: r.value.username,
      inviteUrl: `${origin}/invite/${r.value.inviteToken}`,
      inviteExpiresAt: r.value.inviteExpiresAt,
    },
  }
  return reply
}

export default function OperatorApplication() {
  const { detail } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply | ApproveReply | { ok: true }>()
  const reply = data && 'fields' in data ? data : null
  const approved = data && 'approved' in data ? data.approved : null
  const t = useT()
  const lang = useLang()
  const label = useEnumLabel()
  const busy = useNavigation().state !== 'idle'
  const a = detail.application
  const open = a.state === 'submitted' || a.state === 'under_review'
  return (
    <>
      <h1>
        {t('apply.review.title')} {a.number}
      </h1>
      {approved && (
        <div className="notice" role="status" data-testid="approved">
          <p>{t('apply.review.approved', { partner: approved.partnerCode, username: approved.username })}</p>
          <p>{t('apply.review.inviteOnce', { at: formatTime(approved.inviteExpiresAt, lang) })}</p>
          <code data-testid="invite-url">{approved.inviteUrl}</code>
        </div>
      )}
      <dl className="facts">
        <dt>{t('apply.state')}</dt>
        <dd data-testid="application-state">{t(`apply.state.${a.state}` as MessageKey)}</dd>
        <dt>{t('apply.kind')}</dt>
        <dd>{t(`apply.kind.${a.kind}` as MessageKey)}</dd>
        <dt>{t('apply.name')}</dt>
        <dd>{a.name}</dd>
        <dt>{t('apply.review.subject')}</dt>
        <dd data-testid="application-subject">{a.uscc ?? a.idNumber}</dd>
        <dt>{t('apply.review.contact')}</dt>
        <dd>
          {a.contactName} · {a.contactPhone} · {a.contactEmail}
        </dd>
        <dt>{t('apply.scenarios')}</dt>
        <dd style={{ whiteSpace: 'pre-wrap' }}>{a.scenarios}</dd>
        <dt>{t('apply.purpose')}</dt>
        <dd>{t(`apply.purpose.${a.purpose}` as MessageKey)}</dd>
        <dt>{t('apply.submittedAt')}</dt>
        <dd>{formatTime(a.createdAt, lang)}</dd>
        {a.reason && (
          <>
            <dt>{t('apply.reason')}</dt>
            <dd>{a.reason}</dd>
          </>
        )}
      </dl>
      <h2>{t('apply.documents')}</h2>
      {detail.documents.length === 0 ? (
        <p className="muted">{t('apply.documents.none')}</p>
      ) : (
        <ul data-testid="application-documents">
          {detail.documents.map((d) => (
            <li key={d.id}>
              {d.fileName} · {d.mediaType} · {Math.ceil(d.bytes / 1024)} KiB ·{' '}
              <a href={`/operator/applications/${a.number}/documents/${d.id}`} download>
                {t('apply.review.download')}
              </a>
            </li>
          ))}
        </ul>
      )}
      <h2>{t('apply.review.duplicates')}</h2>
      <div data-testid="application-duplicates">
        {detail.duplicates.partners.length === 0 && detail.duplicates.applications.length === 0 ? (
          <p className="muted">{t('apply.review.noDuplicates')}</p>
        ) : (
          <>
            {detail.duplicates.partners.length > 0 && (
              <p className="form-error" data-testid="duplicate-partner">
                {t('apply.review.duplicatePartner', {
                  list: detail.duplicates.partners
                    .map((p) => `${p.name} (${p.code}, ${label('partners.state', p.state)})`)
                    .join(t('common.listSeparator')),
                })}
              </p>
            )}
            {detail.duplicates.applications.length > 0 && (
              <p className="form-error" data-testid="duplicate-application">
                {t('apply.review.duplicateApplication', {
                  list: detail.duplicates.applications
                    .map((p) => `${p.number} (${label('partnerApplications.state', p.state)})`)
                    .join(t('common.listSeparator')),
                })}
              </p>
            )}
          </>
        )}
      </div>
      <h2>{t('apply.review.credit')}</h2>
      <div data-testid="application-credit">
        {detail.credit.every((c) => c.records.length === 0) ? (
          <p className="muted">{t('apply.review.noCredit')}</p>
        ) : (
          detail.credit.map((c) => (
            <div key={c.partner.id}>
              {c.isBadCreditExitCandidate && <p className="form-error">{t('apply.review.badCredit')}</p>}
              <ul>
                {c.records.map((r) => (
                  <li key={r.code}>
                    {r.code} · {label('creditRecords.severity', r.severity)} · {r.description}
                  </li>
                ))}
              </ul>
            </div>
          ))
        )}
      </div>
      {open && (
        <section className="stack">
          <FormError code={reply && reply.target === null ? reply.formError : null} area="apply" />
          {a.state === 'submitted' && (
            <Form method="post">
              <input type="hidden" name="intent" value="start" />
              <button type="submit" disabled={busy} data-testid="application-start">
                {t('apply.review.start')}
              </button>
            </Form>
          )}
          <Form method="post">
            <input type="hidden" name="intent" value="approve" />
            <ConfirmButton
              question={t('apply.review.approveConfirm')}
              className="primary"
              disabled={busy}
              data-testid="application-approve"
            >
              {t('apply.review.approve')}
            </ConfirmButton>
          </Form>
          <Form method="post" className="stack">
            <input type="hidden" name="intent" value="reject" />
            <FormError code={replyFor(reply, 'reject')?.formError} area="apply" />
            <Field
              label={t('apply.review.rejectReason')}
              error={replyFor(reply, 'reject')?.fields.reason ?? reply?.fields.reason}
              area="apply"
            >
              <textarea name="reason" maxLength={1000} rows={3} data-testid="application-reason" />
            </Field>
            <button type="submit" disabled={busy} data-testid="application-reject">
              {t('apply.review.reject')}
            </button>
          </Form>
        </section>
      )}
    </>
  )
}
