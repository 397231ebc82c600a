import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import { createDemandList, listDemandItems, listDemandLists } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { DemandItemSummary, StateBadge, useFormatDay } from '#app/components/catalog/catalog-ui.tsx'
import { Field, FormError } from '#app/forms/field.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { useT } from '#app/i18n/use-t.ts'
import { requireActor, requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  const { db } = context.platform
  // The operator's queue: items the bureau returned (to edit and resubmit).
  const [lists, returned] = await Promise.all([listDemandLists(db), listDemandItems(db, { states: ['returned'] })])
  return { lists, returned }
}

const schema = z.object({ title: z.string().trim().min(1, 'required').max(200, 'too_long') })

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  const result = await createDemandList(context.platform.db, {
    actor,
    requestId: context.platform.requestId,
    title: parsed.data.title,
  })
  if (!result.ok) return failedForm(result.error)
  return redirect(`/operator/demands/${result.value.code}`)
}

export default function OperatorDemands() {
  const { lists, returned } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const t = useT()
  const day = useFormatDay()
  const busy = useNavigation().state !== 'idle'
  return (
    <>
      <h1>{t('catalog.demands.title')}</h1>
      <p className="lead">{t('catalog.demands.intro')}</p>

      <h2>{t('catalog.demands.returnedQueue')}</h2>
      <div data-testid="operator-queue">
        {returned.length === 0 && <p className="muted">{t('catalog.queue.empty')}</p>}
        {returned.map((item) => (
          <div className="panel" key={item.id} data-testid="demand-item">
            <DemandItemSummary item={item} />
            <Link to={`/operator/demands/${item.listCode}`}>{t('catalog.demands.openList')}</Link>
          </div>
        ))}
      </div>

      <h2>{t('catalog.demands.lists')}</h2>
      <table data-testid="demand-lists">
        <thead>
          <tr>
            <th>{t('col.code')}</th>
            <th>{t('catalog.demands.listTitle')}</th>
            <th>{t('col.status')}</th>
            <th>{t('catalog.demands.items')}</th>
            <th>{t('catalog.demands.submittedAt')}</th>
          </tr>
        </thead>
        <tbody>
          {lists.map((l) => (
            <tr key={l.code}>
              <td>
                <Link to={`/operator/demands/${l.code}`}>
                  <code>{l.code}</code>
                </Link>
              </td>
              <td>{l.title}</td>
              <td>
                <StateBadge state={`list_${l.state}`} />
              </td>
              <td>
                {t('catalog.demands.counts', {
                  n: l.items,
                  pending: l.pendingReview,
                  approved: l.approved,
                  returned: l.returned,
                  granted: l.granted,
                  refused: l.refused,
                })}
              </td>
              <td>{day(l.submittedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t('catalog.demands.newList')}</h2>
      <div className="panel">
        <FormError code={data?.formError} area="catalog" />
        <Form method="post" className="stack" noValidate data-testid="new-list">
          <Field label={t('catalog.demands.listTitle')} error={data?.fields.title} area="catalog">
            <input name="title" maxLength={200} />
          </Field>
          <button type="submit" className="primary" disabled={busy}>
            {t('catalog.demands.create')}
          </button>
        </Form>
      </div>
    </>
  )
}
