import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { formatDay, listPartnerExits, mayApplyAgain } from '#app/domain.server.ts'
import type { MessageKey } from '#app/i18n/messages.ts'
import { useT } from '#app/i18n/use-t.ts'
import { formatFen } from '#app/lib/format.ts'
import { requireUser } from '#app/session.server.ts'

// The partner administrator's exit notice and certificate (Art. 12(4); ADR 0033): only their own partner's exits.

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ['partner_admin'])
  const actor = { id: user.id, label: user.username, role: user.role, partnerId: user.partnerId }
  const exits = await listPartnerExits(context.platform.db, { actor })
  const again = user.partnerId ? await mayApplyAgain(context.platform.db, { partnerId: user.partnerId }) : null
  return {
    reapplyOn: again?.from ? formatDay(again.from) : null,
    exits: exits.map((e) => ({
      id: e.id,
      kind: e.kind,
      state: e.state,
      reason: e.reason,
      noticeOn: formatDay(e.noticeAt),
      exitOn: formatDay(e.exitAt),
      certificateNumber: e.certificateNumber,
      outcome: e.outcome,
    })),
  }
}

export default function PartnerExit() {
  const { exits, reapplyOn } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <>
      <h1>{t('exit.myTitle')}</h1>
      {exits.length === 0 ? <p className="muted">{t('exit.myNone')}</p> : null}
      {exits.map((e) => (
        <section key={e.id} data-testid={`my-exit-${e.state}`}>
          <p className="notice" role="status">
            {t('exit.myNotice', { kind: t(`exit.kind.${e.kind}` as MessageKey), date: e.exitOn })}
          </p>
          <dl>
            <dt>{t('exit.state')}</dt>
            <dd>{t(`exit.state.${e.state}` as MessageKey)}</dd>
            <dt>{t('exit.reason')}</dt>
            <dd>{e.reason}</dd>
            <dt>{t('exit.noticeAt')}</dt>
            <dd>{e.noticeOn}</dd>
            <dt>{t('exit.exitAt')}</dt>
            <dd>{e.exitOn}</dd>
          </dl>
          {e.state === 'executed' && e.outcome ? (
            <>
              <p className="muted">
                {t('exit.outcomeText', {
                  subs: e.outcome.subscriptionsEnded,
                  keys: e.outcome.keysStopped,
                  exports: e.outcome.exportsDeleted,
                  bytes: e.outcome.exportBytesDeleted,
                  period: e.outcome.finalInvoice.period,
                  total: formatFen(e.outcome.finalInvoice.totalFen),
                })}
              </p>
              <p>{t('exit.reapply', { when: reapplyOn ?? t('exit.reapplyNow') })}</p>
              <a href={`/partner/exit/${e.id}/certificate`} download data-testid="exit-certificate">
                {t('exit.download')} · {e.certificateNumber}
              </a>
            </>
          ) : (
            <a href={`/partner/exit/${e.id}/certificate`} download data-testid="exit-notice">
              {t('exit.downloadNotice')}
            </a>
          )}
        </section>
      ))}
    </>
  )
}
