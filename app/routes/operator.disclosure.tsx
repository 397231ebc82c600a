import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { DisclosureBody, shanghaiDay } from '#app/components/disclosure-view.tsx'
import {
  getDisclosure,
  listDisclosureEditions,
  NARRATIVE_MAX,
  NARRATIVE_SECTIONS,
  prepareDisclosure,
} from '#app/domain.server.ts'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { Field, FormError } from '#app/forms/field.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { yearParam } from '#app/lib/disclosure-year.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor } from '#app/session.server.ts'

// The operator prepares a year's annual disclosure (65号; ADR 0036): figures frozen from the records, narrative edited.
export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const { db } = context.platform
  const url = new URL(request.url)
  const year = yearParam(url.searchParams.get('year') ?? undefined) ?? new Date().getUTCFullYear() - 1
  const [editions, found] = await Promise.all([listDisclosureEditions(db), getDisclosure(db, { year, actor })])
  return { year, editions, disclosure: found.ok ? found.value : null, sections: NARRATIVE_SECTIONS, max: NARRATIVE_MAX }
}

const prepareSchema = z.object({ intent: z.literal('prepare'), year: z.string().trim().max(4, 'invalid_year') })

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const form = Object.fromEntries(await readForm(request, context))
  const requestId = context.platform.requestId
  if (form.intent === 'narrative') {
    // Built here, on the server: the sections come from the domain door (a .server module).
    const narrativeSchema = z.object({
      intent: z.literal('narrative'),
      year: z.string().trim().max(4, 'invalid_year'),
      ...Object.fromEntries(
        NARRATIVE_SECTIONS.map((s) => [
          s,
          z
            .string()
            .max(NARRATIVE_MAX + 100, 'too_long')
            .default(''),
        ]),
      ),
    })
    const parsed = narrativeSchema.safeParse(form)
    if (!parsed.success) return invalidForm(parsed.error)
    const { intent: _intent, year, ...narrative } = parsed.data
    const result = await prepareDisclosure(context.platform.db, {
      year,
      narrative,
      refreshFigures: false,
      actor,
      requestId,
    })
    if (!result.ok) return failedForm(result.error)
    return redirect(`/operator/disclosure?year=${result.value.year}&saved=${result.value.version}`)
  }
  const parsed = prepareSchema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error)
  const result = await prepareDisclosure(context.platform.db, { year: parsed.data.year, actor, requestId })
  if (!result.ok) return failedForm(result.error)
  return redirect(`/operator/disclosure?year=${result.value.year}&prepared=${result.value.version}`)
}

export default function OperatorDisclosure() {
  const { year, editions, disclosure, sections, max } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const t = useT()
  const busy = useNavigation().state !== 'idle'
  const [params] = useSearchParams()
  const isDraft = disclosure?.state !== 'published'
  return (
    <>
      <h1>{t('disclosure.operator.title')}</h1>
      <p className="lead">{t('disclosure.operator.intro')}</p>
      {params.get('prepared') && !data && (
        <p className="notice" role="status" data-testid="disclosure-prepared">
          {t('disclosure.operator.prepared', { year, version: params.get('prepared') ?? '' })}
        </p>
      )}
      {params.get('saved') && !data && (
        <p className="notice" role="status" data-testid="disclosure-saved">
          {t('disclosure.operator.narrativeSaved', { version: params.get('saved') ?? '' })}
        </p>
      )}
      <ul data-testid="disclosure-editions">
        {editions.map((e) => (
          <li key={e.year}>
            <Link to={`?year=${e.year}`}>{e.year}</Link>{' '}
            <span className={`badge ${e.state === 'published' ? 'ok' : ''}`}>{t(`disclosure.operator.state.${e.state}`)}</span>{' '}
            <span className="muted">v{e.versions}</span>
          </li>
        ))}
      </ul>
      <Form method="post" className="stack" noValidate data-testid="disclosure-prepare-form">
        <input type="hidden" name="intent" value="prepare" />
        <Field label={t('disclosure.operator.year')} error={data?.fields.year} area="disclosure" errorTestId="year-error">
          <input name="year" inputMode="numeric" maxLength={4} defaultValue={year} />
        </Field>
        <FormError code={data?.formError} area="disclosure" />
        <button type="submit" className="primary" disabled={busy || !isDraft} data-testid="disclosure-prepare">
          {t('disclosure.operator.prepare')}
        </button>
      </Form>
      {!disclosure ? (
        <p className="muted">{t('disclosure.operator.noEdition')}</p>
      ) : (
        <>
          <h2>
            {t('disclosure.title', { year: disclosure.year })}{' '}
            <span className={`badge ${disclosure.state === 'published' ? 'ok' : ''}`} data-testid="disclosure-state">
              {t(`disclosure.operator.state.${disclosure.state}`)}
            </span>
          </h2>
          {disclosure.state === 'published' && (
            <p>
              <Link to={`/disclosure/${disclosure.year}`}>/disclosure/{disclosure.year}</Link>
            </p>
          )}
          {isDraft && (
            <Form method="post" className="stack" noValidate data-testid="disclosure-narrative-form">
              <input type="hidden" name="intent" value="narrative" />
              <input type="hidden" name="year" value={disclosure.year} />
              <p className="muted">{t('disclosure.narrative.hint')}</p>
              {sections.map((s) => (
                <Field key={s} label={t(`disclosure.section.${s}`)} error={data?.fields[s]} area="disclosure">
                  <textarea name={s} rows={3} maxLength={max} defaultValue={disclosure.current.narrative[s]} />
                </Field>
              ))}
              <button type="submit" disabled={busy} data-testid="disclosure-save-narrative">
                {t('disclosure.operator.saveNarrative')}
              </button>
            </Form>
          )}
          <h3>{t('disclosure.operator.versions')}</h3>
          <ul data-testid="disclosure-versions">
            {disclosure.versions.map((v) => (
              <li key={v.version}>
                v{v.version} · {v.preparedBy} · {shanghaiDay(v.createdAt)}
              </li>
            ))}
          </ul>
          <DisclosureBody disclosure={disclosure} />
        </>
      )}
    </>
  )
}
