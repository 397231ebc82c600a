import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import { getLagoOutboxState, syncLagoOutbox } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { formError, type FormReply } from '#app/forms/action-reply.server.ts'
import { FormError } from '#app/forms/field.tsx'
import type { MessageKey } from '#app/i18n/messages.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount, formatTime } from '#app/lib/format.ts'
import { requireActor, requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  const now = Date.now()
  const state = await getLagoOutboxState(context.platform.db, { now })
  const synced = new URL(request.url).searchParams.get('synced')
  return { state, now, synced: synced ? synced.split('-').map(Number) : null }
}

const syncSchema = z.object({ intent: z.literal('sync') })

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  const parsed = syncSchema.safeParse(Object.fromEntries(await readForm(request, context)))
  // The form has no field to show a problem next to: a bad intent is the form's error.
  if (!parsed.success) return formError('validation_failed')
  const report = await syncLagoOutbox(context.platform.db, { now: Date.now(), actor })
  const d = report.delivery
  return redirect(`/operator/lago?synced=${d?.delivered ?? 0}-${d?.duplicates ?? 0}-${d?.failed ?? 0}`)
}

export default function OperatorLago() {
  const { state, now, synced } = useLoaderData<typeof loader>()
  const reply = useActionData<FormReply>() ?? null
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const age = state.oldestPendingAgeMs
  return (
    <>
      <h1>{t('billing.lago.title')}</h1>
      <p className="lead">{t('billing.lago.intro')}</p>
      <p className="notice" data-testid="lago-config">
        {state.enabled ? t('billing.lago.enabled', { url: state.apiUrl ?? '' }) : t('billing.lago.disabled')}
      </p>
      {synced && (
        <p className="notice" role="status" data-testid="lago-synced">
          {t('billing.lago.synced', { delivered: synced[0] ?? 0, duplicates: synced[1] ?? 0, failed: synced[2] ?? 0 })}
        </p>
      )}
      <div className="stats" data-testid="lago-outbox">
        <div className="stat">
          <div className="value" data-testid="lago-pending">
            {formatCount(state.pending, lang)}
          </div>
          <div className="label">{t('billing.lago.pending')}</div>
        </div>
        <div className="stat">
          <div className="value" data-testid="lago-failing">
            {formatCount(state.failing, lang)}
          </div>
          <div className="label">{t('billing.lago.failing')}</div>
        </div>
        <div className="stat">
          <div className="value" data-testid="lago-delivered">
            {formatCount(state.delivered, lang)}
          </div>
          <div className="label">{t('billing.lago.delivered')}</div>
        </div>
        <div className="stat">
          <div className="value" data-testid="lago-oldest">
            {age === null ? '—' : t('billing.lago.seconds', { n: Math.round(age / 1000) })}
          </div>
          <div className="label">{t('billing.lago.oldest')}</div>
        </div>
      </div>
      <section className="panel">
        <dl className="catalog-dl">
          <dt>{t('billing.lago.notEnqueued')}</dt>
          <dd>{formatCount(state.notEnqueued, lang)}</dd>
          <dt>{t('billing.lago.nextAttempt')}</dt>
          <dd>{state.nextAttemptAt && state.nextAttemptAt > now ? formatTime(state.nextAttemptAt, lang) : '—'}</dd>
          <dt>{t('billing.lago.lastDelivered')}</dt>
          <dd>{formatTime(state.lastDeliveredAt, lang)}</dd>
          <dt>{t('billing.lago.lastError')}</dt>
          <dd data-testid="lago-last-error">{state.lastError ?? t('billing.lago.none')}</dd>
        </dl>
        {state.enabled && (
          <Form method="post">
            <input type="hidden" name="intent" value="sync" />
            <FormError code={reply?.formError} area="billing" />
            <button type="submit" className="primary" disabled={busy} data-testid="lago-sync">
              {t('billing.lago.syncNow')}
            </button>
          </Form>
        )}
      </section>
      <h2>{t('billing.lago.mirrored')}</h2>
      <table>
        <thead>
          <tr>
            <th>{t('billing.lago.kind')}</th>
            <th className="num">{t('billing.lago.count')}</th>
            <th>{t('col.time')}</th>
          </tr>
        </thead>
        <tbody>
          {state.mirrored.length === 0 && (
            <tr>
              <td colSpan={3} className="muted">
                {t('billing.lago.none')}
              </td>
            </tr>
          )}
          {state.mirrored.map((m) => (
            <tr key={m.kind}>
              <td>{t(`billing.lago.kind.${m.kind}` as MessageKey)}</td>
              <td className="num">{formatCount(m.count, lang)}</td>
              <td>{formatTime(m.lastSyncedAt, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {state.failingRows.length > 0 && (
        <>
          <h2>{t('billing.lago.failingRows')}</h2>
          <table data-testid="lago-failing-rows">
            <thead>
              <tr>
                <th>transaction_id</th>
                <th>code</th>
                <th className="num">{t('billing.lago.attempts')}</th>
                <th>{t('billing.lago.nextAttempt')}</th>
                <th>{t('billing.lago.lastError')}</th>
              </tr>
            </thead>
            <tbody>
              {state.failingRows.map((r) => (
                <tr key={r.transactionId}>
                  <td>
                    <code>{r.transactionId}</code>
                  </td>
                  <td>{r.code}</td>
                  <td className="num">{r.attempts}</td>
                  <td>{formatTime(r.nextAttemptAt, lang)}</td>
                  <td>{r.lastError}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  )
}
