import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { listCompensationStatements } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import type { MessageKey } from '#app/i18n/messages.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount, formatFen } from '#app/lib/format.ts'
import { formatMoney } from '#app/lib/money.ts'
import { requireUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ['source_unit'])
  if (!user.sourceUnitId) throw new Response('Not found', { status: 404 })
  const statements = await listCompensationStatements(context.platform.db, { sourceUnitId: user.sourceUnitId })
  return { statements, unit: user.sourceUnitName }
}

export default function SourceUnitCompensation() {
  const { statements, unit } = useLoaderData<typeof loader>()
  const t = useT()
  const lang = useLang()
  return (
    <>
      <h1>
        {t('billing.comp.statements')} · {unit}
      </h1>
      <p className="lead">{t('billing.comp.intro')}</p>
      <p className="muted">{t('billing.comp.formulaText')}</p>
      {statements.length === 0 && <p className="muted">{t('billing.comp.noStatements')}</p>}
      {statements.map((s) => (
        <section className="panel" key={s.id} data-testid={`statement-${s.period}`}>
          <h2>
            {s.period} · <span data-testid="statement-amount">{formatFen(s.amountFen)}</span>
          </h2>
          <p className="muted">
            {t('billing.comp.calls')}: {formatCount(s.calls, lang)}
          </p>
          <table>
            <thead>
              <tr>
                <th>{t('billing.comp.datasets')}</th>
                <th>{t('billing.comp.frequencyWeights')}</th>
                <th className="num">{t('billing.comp.calls')}</th>
                <th className="num">{t('billing.comp.quality')}</th>
                <th className="num">{t('billing.comp.amount')}</th>
              </tr>
            </thead>
            <tbody>
              {s.lines.map((l) => (
                <tr key={l.dataset}>
                  <td>
                    <code>{l.dataset}</code>
                  </td>
                  <td>
                    {t(`billing.comp.freq.${l.updateFrequency}` as MessageKey)} +{l.frequencyWeight}
                  </td>
                  <td className="num">{l.calls}</td>
                  <td className="num">{l.quality}</td>
                  <td className="num">{formatMoney(l.preciseFen, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </>
  )
}
