import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { listDatasetLevels } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { useEnumLabel } from '#app/i18n/enum-labels.ts'
import type { MessageKey } from '#app/i18n/messages.ts'
import { formatTime } from '#app/lib/format.ts'
import { requireActor } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// A source unit's datasets with their proposed and confirmed levels (Art. 5; ADR 0037).
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['source_unit'])
  return { rows: await listDatasetLevels(context.platform.db, { actor }) }
}

export default function SourceUnitDatasets() {
  const { rows } = useLoaderData<typeof loader>()
  const t = useT()
  const label = useEnumLabel()
  const lang = useLang()
  return (
    <>
      <h1>{t('grading.title')}</h1>
      <p className="lead">{t('grading.intro')}</p>
      <table data-testid="grading-list">
        <thead>
          <tr>
            <th>{t('grading.col.dataset')}</th>
            <th>{t('grading.col.inForce')}</th>
            <th>{t('grading.col.state')}</th>
            <th>{t('grading.col.proposed')}</th>
            <th>{t('grading.col.confirmed')}</th>
            <th>{t('grading.usageRequirements')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                {t('grading.none')}
              </td>
            </tr>
          )}
          {rows.map((r) => (
            <tr key={r.code} data-testid="grading-row" data-code={r.code} data-state={r.state}>
              <td>
                {lang === 'zh' ? r.nameZh : r.nameEn} <code>{r.code}</code>
                {r.hasPersonalFields && <span className="badge">{t('grading.col.personal')}</span>}
              </td>
              <td>
                <span className="badge">{label('datasets.level', r.level)}</span>
              </td>
              <td>{t(`grading.state.${r.state}` as MessageKey)}</td>
              <td>
                {label('datasets.level', r.proposed.level)} · {r.proposed.actorLabel ?? '—'} · {formatTime(r.proposed.at, lang)}
              </td>
              <td>
                {r.confirmed
                  ? `${label('datasets.level', r.confirmed.level)} · ${r.confirmed.actorLabel ?? '—'} · ${formatTime(r.confirmed.at, lang)}`
                  : '—'}
              </td>
              <td className="pre-wrap">{r.usageRequirements ?? '—'}</td>
              <td>
                <Link to={`/source-unit/datasets/${encodeURIComponent(r.code)}`}>{t('grading.open')}</Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
