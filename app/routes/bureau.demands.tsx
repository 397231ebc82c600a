import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import { listDemandItems, reviewDemandItem } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { DemandItemSummary } from '#app/components/catalog/catalog-ui.tsx'
import { Field, FormError, replyFor } from '#app/forms/field.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { useT } from '#app/i18n/use-t.ts'
import { requireActor, requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['bureau'])
  const { db } = context.platform
  // The bureau's queue (Art. 14): items submitted by the operator and awaiting review.
  const [pending, decided] = await Promise.all([
    listDemandItems(db, { states: ['pending_review'] }),
    listDemandItems(db, { states: ['approved', 'returned', 'granted', 'refused'] }),
  ])
  return { pending, decided }
}

const schema = z
  .object({
    itemId: z.string().min(1, 'required'),
    decision: z.enum(['approve', 'return'], { errorMap: () => ({ message: 'required' }) }),
    comment: z.string().trim().max(1000, 'too_long').optional(),
  })
  .superRefine((v, ctx) => {
    if (v.decision === 'return' && !v.comment)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['comment'], message: 'comment_required' })
  })

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  const form = Object.fromEntries(await readForm(request, context))
  const target = typeof form.itemId === 'string' ? form.itemId : null
  const parsed = schema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const result = await reviewDemandItem(context.platform.db, {
    actor,
    requestId: context.platform.requestId,
    itemId: parsed.data.itemId,
    decision: parsed.data.decision,
    comment: parsed.data.comment,
  })
  if (!result.ok) return failedForm(result.error, { target })
  return redirect(`/bureau/demands?done=${result.value.state}`)
}

export default function BureauDemands() {
  const { pending, decided } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const busy = useNavigation().state !== 'idle'
  const done = params.get('done')
  return (
    <>
      <h1>{t('catalog.bureauDemands.title')}</h1>
      <p className="lead">{t('catalog.bureauDemands.intro')}</p>
      {(done === 'approved' || done === 'returned') && !data && (
        <p className="notice" role="status" data-testid="done">
          {t(done === 'approved' ? 'catalog.bureauDemands.doneApproved' : 'catalog.bureauDemands.doneReturned')}
        </p>
      )}
      <h2>{t('catalog.queue.awaitingYou', { n: pending.length })}</h2>
      <div data-testid="bureau-queue">
        {pending.length === 0 && <p className="muted">{t('catalog.queue.empty')}</p>}
        {pending.map((item) => {
          const failure = replyFor(data, item.id)
          return (
            <div className="panel" key={item.id} data-testid="demand-item" data-item-id={item.id}>
              <p className="muted">
                <code>{item.listCode}</code> {item.listTitle}
              </p>
              <DemandItemSummary item={item} showList={false} />
              <FormError code={failure?.formError} area="catalog" />
              <Form method="post" className="stack" noValidate>
                <input type="hidden" name="itemId" value={item.id} />
                <Field
                  label={t('catalog.review.comment')}
                  error={failure?.fields.comment}
                  hint={t('catalog.review.commentHint')}
                  area="catalog"
                >
                  <textarea name="comment" rows={2} maxLength={1000} />
                </Field>
                <div>
                  <button type="submit" name="decision" value="approve" className="primary" disabled={busy} data-testid="approve">
                    {t('catalog.review.approve')}
                  </button>{' '}
                  <button type="submit" name="decision" value="return" disabled={busy} data-testid="return">
                    {t('catalog.review.return')}
                  </button>
                </div>
              </Form>
            </div>
          )
        })}
      </div>
      <h2>{t('catalog.bureauDemands.decided')}</h2>
      <div data-testid="bureau-decided">
        {decided.length === 0 && <p className="muted">{t('catalog.queue.empty')}</p>}
        {decided.map((item) => (
          <div className="panel" key={item.id} data-testid="decided-item">
            <DemandItemSummary item={item} />
          </div>
        ))}
      </div>
    </>
  )
}
