import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { listExportReviews, reviewSandboxExport, traceExportFingerprint } from '#app/domain.server.ts'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { ConfirmButton, Field, FormError, replyFor } from '#app/forms/field.tsx'
import { useErrorMessage } from '#app/forms/error-message.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor } from '#app/session.server.ts'

// The operator reviewers' queue of sandbox result exports (issue 13, ADR 0038): each request with the job's query and
// its disclosure-control outcome; approve or reject with a reason. L3 and above wait for a second, distinct reviewer;
// a reviewer's own (or own partner's) request cannot be approved, and the page says so before they try.
export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const queue = await listExportReviews(context.platform.db, { actor })
  if (!queue.ok) throw new Response('forbidden', { status: 403 })
  return queue.value
}

const decisionSchema = z.discriminatedUnion('decision', [
  z.object({ exportId: z.string().min(1).max(64), decision: z.literal('approve') }),
  z.object({
    exportId: z.string().min(1).max(64),
    decision: z.literal('reject'),
    reason: z.string().trim().min(1).max(500),
  }),
])

const traceSchema = z.object({ intent: z.literal('trace'), fingerprint: z.string().trim().min(1).max(128) })

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const form = Object.fromEntries(await readForm(request, context))
  if (form.intent === 'trace') {
    // A leaked copy back to its download: the fingerprint printed in its watermark, or the SHA-256 of the file.
    const parsed = traceSchema.safeParse(form)
    if (!parsed.success) return invalidForm(parsed.error, { target: 'trace' })
    const traced = await traceExportFingerprint(context.platform.db, { actor, fingerprint: parsed.data.fingerprint })
    if (!traced.ok) return failedForm(traced.error, { target: 'trace' })
    return { target: 'trace', fields: {}, formError: null, traced: traced.value }
  }
  const target = typeof form.exportId === 'string' ? `${form.decision}:${form.exportId}` : null
  const parsed = decisionSchema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const reviewed = await reviewSandboxExport(context.platform.db, {
    actor,
    exportId: parsed.data.exportId,
    decision: parsed.data.decision,
    reason: parsed.data.decision === 'reject' ? parsed.data.reason : undefined,
    now: Date.now(),
  })
  if (!reviewed.ok) return failedForm(reviewed.error, { target })
  return { target, fields: {}, formError: null, done: reviewed.value.state }
}

type Item = ReturnType<typeof useLoaderData<typeof loader>>['pending'][number]

export default function OperatorSandboxExports() {
  const { pending, decided } = useLoaderData<typeof loader>()
  const data = useActionData<
    FormReply & {
      done?: string
      traced?: { downloadId: string; exportId: string; jobId: string; downloadedBy: string; at: number; bytes: number }
    }
  >()
  const traceReply = replyFor(data, 'trace')
  const t = useT()
  const lang = useLang()
  const text = useErrorMessage('sandbox')
  const busy = useNavigation().state !== 'idle'
  const stateBadge = (e: Item) => (
    <span className={`badge ${e.state === 'approved' ? 'ok' : e.state === 'rejected' ? 'bad' : ''}`}>
      {t(`sandbox.exports.state.${e.state}`)}
    </span>
  )
  return (
    <>
      <h1>{t('opExports.title')}</h1>
      <p className="lead">{t('opExports.intro')}</p>
      {data?.done ? (
        <p className="notice" role="status" data-testid="export-review-done">
          {t('opExports.done')} {t(`sandbox.exports.state.${data.done as 'pending'}`)}
        </p>
      ) : null}
      <h2>{t('opExports.pending')}</h2>
      {pending.length === 0 ? <p className="muted">{t('opExports.none')}</p> : null}
      {pending.map((e) => {
        const approveReply = replyFor(data, `approve:${e.id}`)
        const rejectReply = replyFor(data, `reject:${e.id}`)
        return (
          <section key={e.id} className="panel" data-testid={`export-review-${e.id}`} aria-labelledby={`export-${e.id}`}>
            <h3 id={`export-${e.id}`}>
              {e.partner.name} ({e.partner.code}) · {e.level} {stateBadge(e)}{' '}
              {e.needsSecondReviewer ? (
                <span className="badge" data-testid="needs-second-reviewer">
                  {t('opExports.needsSecond')}
                </span>
              ) : null}
            </h3>
            <dl>
              <dt>{t('sandbox.exports.job')}</dt>
              <dd>
                <code>{e.jobId}</code>
              </dd>
              <dt>{t('sandbox.exports.requestedAt')}</dt>
              <dd>
                {formatTime(e.requestedAt, lang)} · {e.requestedBy}
              </dd>
              <dt>{t('sandbox.exports.reviews')}</dt>
              <dd>{t('opExports.approvals', { approvals: e.approvals, required: e.reviewsRequired })}</dd>
              <dt>{t('opExports.groups')}</dt>
              <dd>{e.groups}</dd>
              <dt>{t('opExports.query')}</dt>
              <dd>
                <pre data-testid="export-query">{JSON.stringify(e.query, null, 2)}</pre>
              </dd>
              <dt>{t('opExports.disclosure')}</dt>
              <dd>
                <pre data-testid="export-disclosure">{JSON.stringify(e.disclosure, null, 2)}</pre>
              </dd>
            </dl>
            {e.blockedFor ? (
              <p className="notice" data-testid="export-blocked">
                {text(e.blockedFor)}
              </p>
            ) : null}
            <div className="actions">
              <Form method="post" noValidate>
                <input type="hidden" name="exportId" value={e.id} />
                <input type="hidden" name="decision" value="approve" />
                <FormError code={approveReply?.formError} area="sandbox" />
                <ConfirmButton
                  className="primary"
                  disabled={busy || e.blockedFor !== null}
                  question={t('opExports.approveConfirm')}
                  data-testid="export-approve"
                >
                  {t('opExports.approve')}
                </ConfirmButton>
              </Form>
              <Form method="post" noValidate>
                <input type="hidden" name="exportId" value={e.id} />
                <input type="hidden" name="decision" value="reject" />
                <Field label={t('opExports.reason')} error={rejectReply?.fields.reason} area="sandbox">
                  <input name="reason" maxLength={500} data-testid="export-reason" />
                </Field>
                <FormError code={rejectReply?.formError} area="sandbox" />
                <ConfirmButton disabled={busy} question={t('opExports.rejectConfirm')} data-testid="export-reject">
                  {t('opExports.reject')}
                </ConfirmButton>
              </Form>
            </div>
          </section>
        )
      })}
      <h2>{t('opExports.decided')}</h2>
      {decided.length === 0 ? (
        <p className="muted">—</p>
      ) : (
        <div className="table-scroll">
          <table data-testid="export-decided">
            <thead>
              <tr>
                <th scope="col">{t('opExports.partner')}</th>
                <th scope="col">{t('sandbox.exports.job')}</th>
                <th scope="col">{t('sandbox.exports.level')}</th>
                <th scope="col">{t('sandbox.exports.state')}</th>
                <th scope="col">{t('sandbox.exports.downloads')}</th>
              </tr>
            </thead>
            <tbody>
              {decided.map((e) => (
                <tr key={e.id}>
                  <td>{e.partner.name}</td>
                  <td>
                    <code>{e.jobId.slice(0, 8)}</code>
                  </td>
                  <td>{e.level}</td>
                  <td>
                    {stateBadge(e)} {e.rejectedReason ? t('sandbox.exports.rejected', { reason: e.rejectedReason }) : ''}
                  </td>
                  <td>{t('opExports.downloads', { n: e.downloads })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <section className="panel" aria-labelledby="export-trace">
        <h2 id="export-trace">{t('opExports.trace')}</h2>
        <p className="muted">{t('opExports.traceHint')}</p>
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="trace" />
          <Field label={t('opExports.fingerprint')} error={traceReply?.fields.fingerprint} area="sandbox">
            <input name="fingerprint" maxLength={128} autoComplete="off" data-testid="export-fingerprint" />
          </Field>
          <FormError code={traceReply?.formError} area="sandbox" />
          <button type="submit" disabled={busy} data-testid="export-trace-submit">
            {t('opExports.traceSubmit')}
          </button>
        </Form>
        {data?.traced ? (
          <p role="status" data-testid="export-traced">
            {t('opExports.traced', {
              download: data.traced.downloadId,
              export: data.traced.exportId,
              job: data.traced.jobId,
              by: data.traced.downloadedBy,
              at: formatTime(data.traced.at, lang),
              bytes: data.traced.bytes,
            })}
          </p>
        ) : null}
      </section>
    </>
  )
}
