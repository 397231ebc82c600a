import { useActionData, useNavigation } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { ModelSummary, type ModelSummaryData } from '#app/components/sandbox-model-summary.tsx'
import type { FormReply } from '#app/forms/action-reply.server.ts'
import { ConfirmButton, Field, FormError, replyFor } from '#app/forms/field.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'

// The reviewers' queue of sandbox model releases (issue 13, ADR 0044): the operator's (every model that passed the
// reversibility checks) and the bureau's (L3 and above, after the operator). Approve, or reject with a reason.

export interface ReviewItem extends ModelSummaryData {
  partner: { code: string; name: string }
  requestedAt: number | null
  bureauRequired: boolean
  spec: unknown
}

export function ModelReviewPage({ items, who }: { items: ReviewItem[]; who: 'operator' | 'bureau' }) {
  const data = useActionData<FormReply & { done?: string }>()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  return (
    <>
      <h1>{t('models.review.title')}</h1>
      <p className="lead">{t(`models.review.intro.${who}`)}</p>
      {data?.done ? (
        <p className="notice" role="status" data-testid="model-review-done">
          {t('models.review.done')} {t(`models.state.${data.done as 'released'}`)}
        </p>
      ) : null}
      {items.length === 0 ? <p className="muted">{t('models.review.none')}</p> : null}
      {items.map((m) => {
        const approveReply = replyFor(data, `approve:${m.id}`)
        const rejectReply = replyFor(data, `reject:${m.id}`)
        return (
          <section key={m.id} className="panel" data-testid={`model-review-${m.id}`} aria-labelledby={`review-${m.id}`}>
            <h3 id={`review-${m.id}`}>
              {m.partner.name} ({m.partner.code}) · <code>{m.id.slice(0, 8)}</code> · {formatTime(m.requestedAt, lang)}
            </h3>
            <ModelSummary model={m} />
            <details>
              <summary>{t('models.review.spec')}</summary>
              <pre>{JSON.stringify(m.spec, null, 2)}</pre>
            </details>
            <div className="actions">
              <Form method="post" noValidate>
                <input type="hidden" name="modelId" value={m.id} />
                <input type="hidden" name="decision" value="approve" />
                <FormError code={approveReply?.formError} area="sandbox" />
                <ConfirmButton
                  className="primary"
                  disabled={busy}
                  question={t('models.review.approveConfirm')}
                  data-testid="model-approve"
                >
                  {t('models.review.approve')}
                </ConfirmButton>
              </Form>
              <Form method="post" noValidate>
                <input type="hidden" name="modelId" value={m.id} />
                <input type="hidden" name="decision" value="reject" />
                <Field label={t('models.review.reason')} error={rejectReply?.fields.reason} area="sandbox">
                  <input name="reason" maxLength={500} data-testid="model-reason" />
                </Field>
                <FormError code={rejectReply?.formError} area="sandbox" />
                <ConfirmButton disabled={busy} question={t('models.review.rejectConfirm')} data-testid="model-reject">
                  {t('models.review.reject')}
                </ConfirmButton>
              </Form>
            </div>
          </section>
        )
      })}
    </>
  )
}
