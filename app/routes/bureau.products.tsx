import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import { listProducts, retireProduct, reviewProduct } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { StateBadge, useFormatDay, useOptionLabel } from '#app/components/catalog/catalog-ui.tsx'
import { Field, FormError, replyFor } from '#app/forms/field.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import type { MessageKey } from '#app/i18n/messages.ts'
import { requireActor, requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['bureau'])
  const { db } = context.platform
  const [underReview, published] = await Promise.all([
    listProducts(db, { states: ['under_review'] }),
    listProducts(db, { states: ['published'] }),
  ])
  return { underReview, published }
}

const reviewSchema = z
  .object({
    intent: z.literal('review'),
    code: z.string().min(1),
    decision: z.enum(['approve', 'return'], { errorMap: () => ({ message: 'required' }) }),
    comment: z.string().trim().max(1000, 'too_long').optional(),
  })
  .superRefine((v, ctx) => {
    if (v.decision === 'return' && !v.comment)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['comment'], message: 'comment_required' })
  })
const retireSchema = z.object({ intent: z.literal('retire'), code: z.string().min(1) })

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  const form = Object.fromEntries(await readForm(request, context))
  const target = typeof form.code === 'string' ? form.code : null
  const parsed = form.intent === 'review' ? reviewSchema.safeParse(form) : retireSchema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const { db, requestId } = context.platform
  const v = parsed.data
  const result =
    v.intent === 'review'
      ? await reviewProduct(db, { actor, requestId, code: v.code, decision: v.decision, comment: v.comment })
      : await retireProduct(db, { actor, requestId, code: v.code })
  // The review form shows only the comment: a failure naming the product's datasets reads as the form's error.
  if (!result.ok) return failedForm(result.error, { target, shownFields: ['comment'] })
  const done = v.intent === 'retire' ? 'retired' : v.decision === 'approve' ? 'published' : 'returned'
  return redirect(`/bureau/products?done=${done}&code=${encodeURIComponent(v.code)}`)
}

export default function BureauProducts() {
  const { underReview, published } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const label = useOptionLabel()
  const day = useFormatDay()
  const busy = useNavigation().state !== 'idle'
  const done = params.get('done')
  return (
    <>
      <h1>{t('catalog.bureauProducts.title')}</h1>
      <p className="lead">{t('catalog.bureauProducts.intro')}</p>
      {done && !data && (
        <p className="notice" role="status" data-testid="done">
          {label('productDone', done)} <code>{params.get('code')}</code>
        </p>
      )}
      <h2>{t('catalog.queue.awaitingYou', { n: underReview.length })}</h2>
      <div data-testid="bureau-product-queue">
        {underReview.length === 0 && <p className="muted">{t('catalog.queue.empty')}</p>}
        {underReview.map((p) => {
          const failure = replyFor(data, p.code)
          return (
            <div className="panel" key={p.code} data-testid={`review-${p.code}`}>
              <h3 style={{ marginTop: 0 }}>
                {lang === 'zh' ? p.nameZh : p.nameEn} <code>{p.code}</code>{' '}
                <span className="badge">{t(`form.${p.form}` as MessageKey)}</span>{' '}
                <span className="badge">{label('level', p.level)}</span>{' '}
                <span className="badge">{label('domain', p.domain)}</span>
              </h3>
              <p>{lang === 'zh' ? p.descriptionZh : p.descriptionEn}</p>
              <p className="muted">
                {t('catalog.products.datasets')}: <code>{p.datasetCodes.replaceAll(',', ', ')}</code>
              </p>
              <p className="muted">{t(`catalog.levelRule.${p.level}` as MessageKey)}</p>
              <FormError code={failure?.formError} area="catalog" />
              <Form method="post" className="stack" noValidate>
                <input type="hidden" name="intent" value="review" />
                <input type="hidden" name="code" value={p.code} />
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
                    {t('catalog.review.publish')}
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
      <h2>{t('catalog.bureauProducts.published')}</h2>
      <table data-testid="published-products">
        <thead>
          <tr>
            <th>{t('col.code')}</th>
            <th>{t('col.name')}</th>
            <th>{t('col.level')}</th>
            <th>{t('catalog.products.registrationCode')}</th>
            <th>{t('catalog.product.publishedAt')}</th>
            <th>{t('col.status')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {published.map((p) => (
            <tr key={p.code}>
              <td>
                <Link to={`/catalog/${p.code}`}>{p.code}</Link>
              </td>
              <td>{lang === 'zh' ? p.nameZh : p.nameEn}</td>
              <td>{label('level', p.level)}</td>
              <td>
                <code>{p.registrationCode}</code>
              </td>
              <td>{day(p.publishedAt)}</td>
              <td>
                <StateBadge state={p.state} />
                <FormError code={replyFor(data, p.code)?.formError} area="catalog" />
              </td>
              <td>
                <Form method="post" onSubmit={(e) => !confirm(t('catalog.products.retireConfirm')) && e.preventDefault()}>
                  <input type="hidden" name="intent" value="retire" />
                  <input type="hidden" name="code" value={p.code} />
                  <button type="submit" disabled={busy}>
                    {t('catalog.products.retire')}
                  </button>
                </Form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
