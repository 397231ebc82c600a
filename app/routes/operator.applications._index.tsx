import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData, useSearchParams } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { listPartnerApplications } from '#app/domain.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import type { MessageKey } from '#app/i18n/messages.ts'
import { formatTime } from '#app/lib/format.ts'
import { requireActor } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// The operator's queue of applications to become a partner (ADR 0030); ID numbers and phones masked.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const all = new URL(request.url).searchParams.get('all') === '1'
  const result = await listPartnerApplications(context.platform.db, {
    actor,
    states: all ? undefined : ['submitted', 'under_review'],
  })
  if (!result.ok) throw new Response('Forbidden', { status: 403 })
  return { rows: result.value }
}

export default function OperatorApplications() {
  const { rows } = useLoaderData<typeof loader>()
  const t = useT()
  const lang = useLang()
  const [params] = useSearchParams()
  const all = params.get('all') === '1'
  return (
    <>
      <h1>{t('apply.review.title')}</h1>
      <p className="lead">{t('apply.review.intro')}</p>
      <p>{all ? <Link to="?">{t('apply.review.filter.open')}</Link> : <Link to="?all=1">{t('apply.review.filter.all')}</Link>}</p>
      {rows.length === 0 ? (
        <p className="muted">{t('apply.review.none')}</p>
      ) : (
        <table data-testid="applications-table">
          <thead>
            <tr>
              <th>{t('apply.number')}</th>
              <th>{t('apply.name')}</th>
              <th>{t('apply.kind')}</th>
              <th>{t('apply.review.subject')}</th>
              <th>{t('apply.review.contact')}</th>
              <th>{t('apply.purpose')}</th>
              <th>{t('apply.state')}</th>
              <th>{t('apply.submittedAt')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.number} data-testid={`application-${r.number}`}>
                <td>
                  <Link to={`/operator/applications/${r.number}`}>{r.number}</Link>
                </td>
                <td>{r.name}</td>
                <td>{t(`apply.kind.${r.kind}` as MessageKey)}</td>
                <td>{r.uscc ?? r.idNumber}</td>
                <td>
                  {r.contactName} {r.contactPhone}
                </td>
                <td>{t(`apply.purpose.${r.purpose}` as MessageKey)}</td>
                <td>{t(`apply.state.${r.state}` as MessageKey)}</td>
                <td>{formatTime(r.submittedAt, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}
