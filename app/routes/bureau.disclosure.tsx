import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { DisclosureBody, shanghaiDay } from '#app/components/disclosure-view.tsx'
import { getDisclosure, listDisclosureEditions, publishDisclosure } from '#app/domain.server.ts'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { ConfirmButton, FormError } from '#app/forms/field.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { yearParam } from '#app/lib/disclosure-year.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor } from '#app/session.server.ts'

// The bureau reviews the operator's annual disclosure and publishes the version it read (65号; ADR 0036).
export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  const { db } = context.platform
  const editions = await listDisclosureEditions(db)
  const asked = yearParam(new URL(request.url).searchParams.get('year') ?? undefined)
  const year = asked ?? editions.find((e) => e.state === 'draft')?.year ?? editions[0]?.year ?? null
  const found = year === null ? null : await getDisclosure(db, { year, actor })
  return { editions, disclosure: found?.ok ? found.value : null }
}

const publishSchema = z.object({
  intent: z.literal('publish'),
  year: z.coerce.number().int().min(2000).max(9999),
  version: z.coerce.number().int().min(1).max(1_000_000),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  const parsed = publishSchema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  const result = await publishDisclosure(context.platform.db, {
    year: parsed.data.year,
    version: parsed.data.version,
    actor,
    requestId: context.platform.requestId,
  })
  if (!result.ok) return failedForm(result.error)
  return redirect(`/bureau/disclosure?year=${result.value.year}&published=1`)
}

export default function BureauDisclosure() {
  const { editions, disclosure } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const t = useT()
  const busy = useNavigation().state !== 'idle'
  const [params] = useSearchParams()
  return (
    <>
      <h1>{t('disclosure.bureau.title')}</h1>
      <p className="lead">{t('disclosure.bureau.intro')}</p>
      {params.get('published') && disclosure && !data && (
        <p className="notice" role="status" data-testid="disclosure-published-notice">
          {t('disclosure.bureau.published', { year: disclosure.year })}
        </p>
      )}
      <ul data-testid="disclosure-editions">
        {editions.map((e) => (
          <li key={e.year}>
            <Link to={`?year=${e.year}`}>{e.year}</Link>{' '}
            <span className={`badge ${e.state === 'published' ? 'ok' : ''}`}>{t(`disclosure.operator.state.${e.state}`)}</span>
          </li>
        ))}
      </ul>
      {!disclosure ? (
        <p className="muted">{t('disclosure.operator.noEdition')}</p>
      ) : (
        <>
          <h2>
            {t('disclosure.title', { year: disclosure.year })} · v{disclosure.current.version}{' '}
            <span className={`badge ${disclosure.state === 'published' ? 'ok' : ''}`}>
              {t(`disclosure.operator.state.${disclosure.state}`)}
            </span>
          </h2>
          <p className="muted">
            {disclosure.current.preparedBy} · {shanghaiDay(disclosure.current.createdAt)}
          </p>
          {disclosure.state === 'draft' ? (
            <Form method="post" noValidate data-testid="disclosure-publish-form">
              <input type="hidden" name="intent" value="publish" />
              <input type="hidden" name="year" value={disclosure.year} />
              <input type="hidden" name="version" value={disclosure.current.version} />
              <FormError code={data?.formError} area="disclosure" />
              <ConfirmButton
                className="primary"
                disabled={busy}
                data-testid="disclosure-publish"
                question={t('disclosure.bureau.publishConfirm', { year: disclosure.year })}
              >
                {t('disclosure.bureau.publish', { version: disclosure.current.version })}
              </ConfirmButton>
            </Form>
          ) : (
            <p>
              <Link to={`/disclosure/${disclosure.year}`}>/disclosure/{disclosure.year}</Link>
            </p>
          )}
          <DisclosureBody disclosure={disclosure} />
        </>
      )}
    </>
  )
}
