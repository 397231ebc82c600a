import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { TechnicalDetail } from '#app/components/technical-detail.tsx'
import { useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { HTTP_STATUS_OF_KIND } from '#platform/result.ts'
import { Form } from '#app/components/form.tsx'
import { requestSupervisionFeedSync, viewSupervisionFeedState } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { FormError } from '#app/forms/field.tsx'
import type { MessageKey } from '#app/i18n/messages.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount, formatTime } from '#app/lib/format.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// The log feed to the city's exchange platform (Art. 24; ADR 0025): its state for the bureau (and the third-party
// auditor, read-only), and the bureau's "send now".
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, actor } = await requireActor(request, context, ['bureau', 'auditor'])
  const now = Date.now()
  const viewed = await viewSupervisionFeedState(context.platform.db, { actor, now })
  if (!viewed.ok) throw new Response(null, { status: HTTP_STATUS_OF_KIND[viewed.error.kind] })
  const state = viewed.value
  const params = new URL(request.url).searchParams
  const synced = /^\d+-\d+-\d+$/.test(params.get('synced') ?? '') ? params.get('synced')!.split('-').map(Number) : null
  return { state, now, synced, failed: params.get('failed') === '1', canSync: user.role === 'bureau' }
}

const syncSchema = z.object({ intent: z.literal('sync') })

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  const parsed = syncSchema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  const result = await requestSupervisionFeedSync(context.platform.db, { actor, now: Date.now() })
  if (!result.ok) return failedForm(result.error)
  const d = result.value.delivery
  return redirect(
    `/bureau/supervision-feed?synced=${d?.batches ?? 0}-${d?.delivered ?? 0}-${d?.duplicates ?? 0}${d?.failed ? '&failed=1' : ''}`,
  )
}

export default function BureauSupervisionFeed() {
  const { state, now, synced, failed, canSync } = useLoaderData<typeof loader>()
  const reply = useActionData<FormReply>() ?? null
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const age = state.lag.oldestAgeMs
  return (
    <>
      <h1>{t('feed.title')}</h1>
      <p className="lead">{t('feed.intro')}</p>
      <p className="notice" data-testid="feed-config">
        {state.enabled ? t('feed.enabled', { url: state.url ?? '' }) : t('feed.disabled')}
      </p>
      {synced && (
        <p className="notice" role="status" data-testid="feed-synced">
          {t('feed.synced', { batches: synced[0] ?? 0, delivered: synced[1] ?? 0, duplicates: synced[2] ?? 0 })}
          {failed && ` ${t('feed.syncFailed')}`}
          {failed && <TechnicalDetail text={state.lastError} />}
        </p>
      )}
      <div className="stats" data-testid="feed-state">
        <div className="stat">
          <div className="value" data-testid="feed-lag">
            {formatCount(state.lag.records, lang)}
          </div>
          <div className="label">{t('feed.lag')}</div>
        </div>
        <div className="stat">
          <div className="value" data-testid="feed-oldest">
            {age === null ? '—' : t('feed.seconds', { n: Math.round(age / 1000) })}
          </div>
          <div className="label">{t('feed.oldest')}</div>
        </div>
        <div className="stat">
          <div className="value" data-testid="feed-delivered-seq">
            {formatCount(state.deliveredSeq, lang)}
          </div>
          <div className="label">{t('feed.deliveredSeq')}</div>
        </div>
        <div className="stat">
          <div className="value" data-testid="feed-failures">
            {formatCount(state.consecutiveFailures, lang)}
          </div>
          <div className="label">{t('feed.failures')}</div>
        </div>
      </div>
      <section className="panel">
        <dl className="catalog-dl">
          <dt>{t('feed.lag')}</dt>
          <dd>
            {t('feed.lagHint', {
              queued: formatCount(state.lag.queued, lang),
              notQueued: formatCount(state.lag.notQueued, lang),
            })}
          </dd>
          <dt>{t('feed.deliveredSeq')}</dt>
          <dd>
            {formatCount(state.deliveredSeq, lang)} ({t('feed.ofQueued', { n: formatCount(state.lastQueuedSeq, lang) })})
          </dd>
          <dt>{t('feed.lastSuccess')}</dt>
          <dd>{formatTime(state.lastSuccessAt, lang)}</dd>
          <dt>{t('feed.nextAttempt')}</dt>
          <dd>{state.nextAttemptAt && state.nextAttemptAt > now ? formatTime(state.nextAttemptAt, lang) : '—'}</dd>
          <dt>{t('feed.lastError')}</dt>
          <dd data-testid="feed-last-error">
            {state.lastError ?? t('feed.none')}
            {state.lastFailureAt ? ` (${formatTime(state.lastFailureAt, lang)})` : ''}
          </dd>
          <dt>{t('feed.lastWarning')}</dt>
          <dd data-testid="feed-last-warning">{state.lastWarning ?? t('feed.none')}</dd>
          <dt>{t('feed.auditHead')}</dt>
          <dd>
            #{state.auditHead.seq} <code>{state.auditHead.hash}</code>
          </dd>
        </dl>
        {canSync && state.enabled && (
          <Form method="post">
            <input type="hidden" name="intent" value="sync" />
            <FormError code={reply?.formError} area="feed" />
            <button type="submit" className="primary" disabled={busy} data-testid="feed-sync">
              {t('feed.syncNow')}
            </button>
          </Form>
        )}
      </section>
      <h2>{t('feed.batches')}</h2>
      <table data-testid="feed-batches">
        <thead>
          <tr>
            <th>{t('feed.batch')}</th>
            <th>{t('feed.range')}</th>
            <th className="num">{t('feed.records')}</th>
            <th>{t('feed.state')}</th>
            <th className="num">{t('feed.attempts')}</th>
            <th>{t('feed.status')}</th>
            <th className="num">{t('feed.headSeq')}</th>
            <th>{t('feed.time')}</th>
          </tr>
        </thead>
        <tbody>
          {state.recentBatches.length === 0 && (
            <tr>
              <td colSpan={8} className="muted">
                {t('feed.noBatches')}
              </td>
            </tr>
          )}
          {state.recentBatches.map((b) => (
            <tr key={b.id}>
              <td>
                <code>{b.id}</code>
              </td>
              <td>
                {b.firstSeq}–{b.lastSeq}
              </td>
              <td className="num">{formatCount(b.records, lang)}</td>
              <td>{t(`feed.state.${b.state}` as MessageKey)}</td>
              <td className="num">{b.attempts}</td>
              <td>{b.lastError ?? b.lastStatus ?? '—'}</td>
              <td className="num">{b.auditHeadSeq}</td>
              <td>{formatTime(b.deliveredAt ?? b.lastAttemptAt, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
