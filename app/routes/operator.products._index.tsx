import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import {
  createProduct,
  DATA_DOMAINS,
  listDatasets,
  listProducts,
  PRODUCT_FORMS,
  retireProduct,
  submitProduct,
} from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { StateBadge, useOptionLabel } from '#app/components/catalog/catalog-ui.tsx'
import { Field, FieldError, FormError, replyFor } from '#app/forms/field.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import type { MessageKey } from '#app/i18n/messages.ts'
import { requireActor, requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  const { db } = context.platform
  const [products, datasets] = await Promise.all([listProducts(db), listDatasets(db)])
  return { products, datasets, forms: [...PRODUCT_FORMS], domains: [...DATA_DOMAINS] }
}

const createSchema = z.object({
  intent: z.literal('create'),
  code: z.string().trim().min(1, 'required').max(64, 'too_long'),
  nameZh: z.string().trim().min(1, 'required').max(100, 'too_long'),
  nameEn: z.string().trim().min(1, 'required').max(200, 'too_long'),
  descriptionZh: z.string().trim().max(4000, 'too_long'),
  descriptionEn: z.string().trim().max(4000, 'too_long'),
  form: z.enum(PRODUCT_FORMS, { errorMap: () => ({ message: 'required' }) }),
  domain: z.enum(DATA_DOMAINS, { errorMap: () => ({ message: 'required' }) }),
  datasetCodes: z.array(z.string()).min(1, 'datasets_required'),
  apiPath: z.string().trim().max(200, 'too_long'),
  exampleRequest: z.string().trim().max(10_000, 'too_long'),
  exampleResponse: z.string().trim().max(10_000, 'too_long'),
})

/** The create form's inputs; a product row's buttons have none, so their failures read as the row's error. */
const CREATE_FIELDS = Object.keys(createSchema.shape)

const actionSchema = z.discriminatedUnion('intent', [
  createSchema,
  z.object({ intent: z.literal('submit'), code: z.string().min(1) }),
  z.object({ intent: z.literal('retire'), code: z.string().min(1) }),
])

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const formData = await readForm(request, context)
  const form: Record<string, unknown> = {
    ...Object.fromEntries(formData),
    datasetCodes: formData.getAll('datasetCodes').map(String),
  }
  const target = form.intent === 'create' ? 'create' : String(form.code ?? '')
  const parsed = actionSchema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const { db, requestId } = context.platform
  const v = parsed.data
  const result =
    v.intent === 'create'
      ? await createProduct(db, {
          actor,
          requestId,
          input: {
            ...v,
            apiPath: v.apiPath || null,
            exampleRequest: v.exampleRequest || null,
            exampleResponse: v.exampleResponse || null,
          },
        })
      : v.intent === 'submit'
        ? await submitProduct(db, { actor, requestId, code: v.code })
        : await retireProduct(db, { actor, requestId, code: v.code })
  if (!result.ok) return failedForm(result.error, { target, shownFields: v.intent === 'create' ? CREATE_FIELDS : [] })
  return redirect(`/operator/products?done=${v.intent}&code=${encodeURIComponent(v.code)}`)
}

export default function OperatorProducts() {
  const { products, datasets, forms, domains } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const label = useOptionLabel()
  const busy = useNavigation().state !== 'idle'
  const createFailure = replyFor(data, 'create')
  const err = (name: string) => createFailure?.fields[name]
  const done = params.get('done')
  return (
    <>
      <h1>{t('catalog.products.title')}</h1>
      <p className="lead">{t('catalog.products.intro')}</p>
      {done && !data && (
        <p className="notice" role="status" data-testid="done">
          {label('productDone', done)} <code>{params.get('code')}</code>
        </p>
      )}
      <table data-testid="products-table">
        <thead>
          <tr>
            <th>{t('col.code')}</th>
            <th>{t('col.name')}</th>
            <th>{t('col.form')}</th>
            <th>{t('col.level')}</th>
            <th>{t('catalog.products.datasets')}</th>
            <th>{t('col.status')}</th>
            <th>{t('catalog.products.registrationCode')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {products.map((p) => {
            const failure = replyFor(data, p.code)
            return (
              <tr key={p.code} data-testid={`product-row-${p.code}`}>
                <td>{p.state === 'published' ? <Link to={`/catalog/${p.code}`}>{p.code}</Link> : <code>{p.code}</code>}</td>
                <td>
                  {lang === 'zh' ? p.nameZh : p.nameEn}
                  {p.reviewComment && p.state === 'draft' && (
                    <p className="notice" data-testid="review-comment">
                      {t('catalog.products.returnedWith')} {p.reviewComment}
                    </p>
                  )}
                  <FormError code={failure?.formError} area="catalog" />
                </td>
                <td>{t(`form.${p.form}` as MessageKey)}</td>
                <td>{label('level', p.level)}</td>
                <td>
                  <code>{p.datasetCodes.replaceAll(',', ', ')}</code>
                </td>
                <td>
                  <StateBadge state={p.state} testId="product-state" />
                </td>
                <td>{p.registrationCode ? <code>{p.registrationCode}</code> : '—'}</td>
                <td className="catalog-row-actions">
                  {p.state === 'draft' && (
                    <Form method="post">
                      <input type="hidden" name="intent" value="submit" />
                      <input type="hidden" name="code" value={p.code} />
                      <button type="submit" className="primary" disabled={busy} data-testid="submit-product">
                        {t('catalog.products.submit')}
                      </button>
                    </Form>
                  )}
                  {p.state !== 'retired' && (
                    <Form method="post" onSubmit={(e) => !confirm(t('catalog.products.retireConfirm')) && e.preventDefault()}>
                      <input type="hidden" name="intent" value="retire" />
                      <input type="hidden" name="code" value={p.code} />
                      <button type="submit" disabled={busy}>
                        {t('catalog.products.retire')}
                      </button>
                    </Form>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>

      <h2>{t('catalog.products.create')}</h2>
      <div className="panel">
        <FormError code={createFailure?.formError} area="catalog" />
        <Form method="post" className="stack catalog-wide" noValidate data-testid="create-product">
          <input type="hidden" name="intent" value="create" />
          <Field label={t('catalog.products.code')} error={err('code')} area="catalog" hint={t('catalog.products.codeHint')}>
            <input name="code" />
          </Field>
          <Field label={t('catalog.nameZh')} error={err('nameZh')} area="catalog">
            <input name="nameZh" />
          </Field>
          <Field label={t('catalog.nameEn')} error={err('nameEn')} area="catalog">
            <input name="nameEn" />
          </Field>
          <Field label={t('col.form')} error={err('form')} area="catalog">
            <select name="form" defaultValue="verification">
              {forms.map((f) => (
                <option key={f} value={f}>
                  {t(`form.${f}` as MessageKey)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('col.domain')} error={err('domain')} area="catalog">
            <select name="domain" defaultValue="other">
              {domains.map((d) => (
                <option key={d} value={d}>
                  {label('domain', d)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('catalog.descriptionZh')} error={err('descriptionZh')} area="catalog">
            <textarea name="descriptionZh" rows={3} />
          </Field>
          <Field label={t('catalog.descriptionEn')} error={err('descriptionEn')} area="catalog">
            <textarea name="descriptionEn" rows={3} />
          </Field>
          <fieldset data-testid="product-datasets">
            <legend>{t('catalog.products.datasets')}</legend>
            {datasets.map((d) => (
              <label key={d.code} className="catalog-check">
                <input type="checkbox" name="datasetCodes" value={d.code} /> <code>{d.code}</code>{' '}
                {lang === 'zh' ? d.nameZh : d.nameEn} ({d.level})
                {!d.authorizedUntil && <span className="badge bad">{t('catalog.datasets.notAuthorized')}</span>}
              </label>
            ))}
            <FieldError code={err('datasetCodes')} area="catalog" />
          </fieldset>
          <Field label={t('catalog.products.apiPath')} error={err('apiPath')} area="catalog">
            <input name="apiPath" placeholder="POST /api/v1/..." />
          </Field>
          <Field label={t('catalog.product.exampleRequest')} error={err('exampleRequest')} area="catalog">
            <textarea name="exampleRequest" rows={3} placeholder="{}" />
          </Field>
          <Field label={t('catalog.product.exampleResponse')} error={err('exampleResponse')} area="catalog">
            <textarea name="exampleResponse" rows={3} placeholder="{}" />
          </Field>
          <button type="submit" className="primary" disabled={busy}>
            {t('catalog.products.createSubmit')}
          </button>
        </Form>
      </div>
    </>
  )
}
