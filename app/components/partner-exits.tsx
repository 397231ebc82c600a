import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { ConfirmButton, Field, FormError, replyFor } from '#app/forms/field.tsx'
import type { FormReply } from '#app/forms/action-reply.server.ts'
import type { MessageKey } from '#app/i18n/messages.ts'
import { useT } from '#app/i18n/use-t.ts'
import { formatFen } from '#app/lib/format.ts'
import type { loadExits } from '#app/lib/partner-exits-route.server.ts'

/** The operator's and the bureau's exit page: start an exit, the list, execute now (ADR 0033). */
export function PartnerExitsPage() {
  const { kinds, exits, reapplyRules } = useLoaderData<Awaited<ReturnType<typeof loadExits>>>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const busy = useNavigation().state !== 'idle'
  const startReply = replyFor(data, 'start')
  const rulesReply = replyFor(data, 'reapply')
  return (
    <>
      <h1>{t('exit.title')}</h1>
      <p className="lead">{t('exit.intro')}</p>
      {params.get('started') && !data && (
        <p className="notice" role="status" data-testid="exit-started">
          {t('exit.started', { partner: params.get('started')! })}
        </p>
      )}
      {params.get('withdrawn') && !data && (
        <p className="notice" role="status" data-testid="exit-withdrawn">
          {t('exit.withdrawn', { partner: params.get('withdrawn')! })}
        </p>
      )}
      {params.get('executed') && !data && (
        <p className="notice" role="status" data-testid="exit-executed">
          {t('exit.executed', { partner: params.get('executed')!, number: params.get('number') ?? '' })}
        </p>
      )}
      <h2>{t('exit.start')}</h2>
      <Form method="post" noValidate data-testid="exit-start-form">
        <input type="hidden" name="intent" value="start" />
        <Field label={t('exit.partner')} error={startReply?.fields.partnerCode} area="exit">
          <input name="partnerCode" maxLength={100} required />
        </Field>
        <Field label={t('exit.kind')} error={startReply?.fields.kind} area="exit">
          <select name="kind">
            {kinds.map((k) => (
              <option key={k} value={k}>
                {t(`exit.kind.${k}` as MessageKey)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('exit.reason')} error={startReply?.fields.reason} area="exit">
          <textarea name="reason" maxLength={1000} required />
        </Field>
        <Field label={t('exit.sourceRef')} error={startReply?.fields.sourceRef} area="exit">
          <input name="sourceRef" maxLength={100} />
        </Field>
        <Field label={t('exit.exitOn')} error={startReply?.fields.exitOn ?? startReply?.fields.exitAt} area="exit">
          <input name="exitOn" type="date" />
        </Field>
        <FormError code={startReply?.formError} area="exit" />
        <button type="submit" className="primary" disabled={busy}>
          {t('exit.submit')}
        </button>
      </Form>

      <h2>{t('exit.list')}</h2>
      {exits.length === 0 ? (
        <p className="muted">{t('exit.none')}</p>
      ) : (
        <table data-testid="exits">
          <thead>
            <tr>
              <th>{t('exit.partner')}</th>
              <th>{t('exit.kind')}</th>
              <th>{t('exit.state')}</th>
              <th>{t('exit.noticeAt')}</th>
              <th>{t('exit.exitAt')}</th>
              <th>{t('exit.reason')}</th>
              <th>{t('exit.outcome')}</th>
            </tr>
          </thead>
          <tbody>
            {exits.map((e) => {
              const executeReply = replyFor(data, `execute:${e.id}`)
              const withdrawReply = replyFor(data, `withdraw:${e.id}`)
              return (
                <tr key={e.id} data-testid={`exit-${e.partnerCode}`}>
                  <td>
                    {e.partnerName} <code>{e.partnerCode}</code>
                  </td>
                  <td>{t(`exit.kind.${e.kind}` as MessageKey)}</td>
                  <td data-testid="exit-state">{t(`exit.state.${e.state}` as MessageKey)}</td>
                  <td>{e.noticeOn}</td>
                  <td>{e.exitOn}</td>
                  <td>
                    {e.reason}
                    {e.sourceRef ? <div className="muted">{e.sourceRef}</div> : null}
                  </td>
                  <td>
                    {e.state === 'noticed' ? (
                      <>
                        <Form method="post" data-testid="exit-execute-form">
                          <input type="hidden" name="intent" value="execute" />
                          <input type="hidden" name="exitId" value={e.id} />
                          <FormError code={executeReply?.formError} area="exit" />
                          <ConfirmButton question={t('exit.executeConfirm')} className="danger" disabled={busy}>
                            {t('exit.executeNow')}
                          </ConfirmButton>
                        </Form>
                        <Form method="post" className="stack" noValidate data-testid="exit-withdraw-form">
                          <input type="hidden" name="intent" value="withdraw" />
                          <input type="hidden" name="exitId" value={e.id} />
                          <FormError code={withdrawReply?.formError} area="exit" />
                          <Field label={t('exit.withdrawReason')} error={withdrawReply?.fields.withdrawReason} area="exit">
                            <input name="withdrawReason" maxLength={1000} data-testid="exit-withdraw-reason" />
                          </Field>
                          <ConfirmButton
                            question={t('exit.withdrawConfirm')}
                            className="secondary"
                            disabled={busy}
                            data-testid="exit-withdraw"
                          >
                            {t('exit.withdraw')}
                          </ConfirmButton>
                        </Form>
                      </>
                    ) : e.withdrawal ? (
                      <div className="muted" data-testid="exit-withdrawal">
                        {t('exit.withdrawnBy', { by: e.withdrawal.by, at: e.withdrawal.on, reason: e.withdrawal.reason })}
                      </div>
                    ) : e.outcome ? (
                      <>
                        <div>
                          {t('exit.certificate')} <code>{e.certificateNumber}</code>
                        </div>
                        <div className="muted">
                          {t('exit.outcomeText', {
                            subs: e.outcome.subscriptionsEnded,
                            keys: e.outcome.keysStopped,
                            exports: e.outcome.exportsDeleted,
                            bytes: e.outcome.exportBytesDeleted,
                            period: e.outcome.finalInvoice.period,
                            total: formatFen(e.outcome.finalInvoice.totalFen),
                          })}
                        </div>
                        {e.outcome.creditRecordCode ? (
                          <div className="muted">{t('exit.credit', { code: e.outcome.creditRecordCode })}</div>
                        ) : null}
                      </>
                    ) : null}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
      <h2>{t('exit.rules.title')}</h2>
      <p className="muted">{t('exit.rules.intro')}</p>
      {params.get('rules') === 'saved' && !data && (
        <p className="notice" role="status" data-testid="reapply-rules-saved">
          {t('exit.rules.saved')}
        </p>
      )}
      <p className="muted">
        {reapplyRules.setBy && reapplyRules.setOn
          ? t('exit.rules.setBy', { by: reapplyRules.setBy, at: reapplyRules.setOn })
          : t('exit.rules.default')}
      </p>
      {reapplyRules.canSet ? (
        <Form method="post" className="stack" noValidate data-testid="reapply-rules-form">
          <input type="hidden" name="intent" value="reapply" />
          <FormError code={rulesReply?.formError} area="exit" />
          {(Object.keys(reapplyRules.monthsByKind) as (keyof typeof reapplyRules.monthsByKind)[]).map((k) => (
            <Field
              key={k}
              label={t('exit.rules.months', { kind: t(`exit.kind.${k}` as MessageKey) })}
              error={rulesReply?.fields[k]}
              area="exit"
            >
              <input name={k} inputMode="numeric" defaultValue={String(reapplyRules.monthsByKind[k])} maxLength={3} />
            </Field>
          ))}
          <button type="submit" disabled={busy}>
            {t('exit.rules.save')}
          </button>
        </Form>
      ) : (
        <table data-testid="reapply-rules">
          <tbody>
            {(Object.keys(reapplyRules.monthsByKind) as (keyof typeof reapplyRules.monthsByKind)[]).map((k) => (
              <tr key={k}>
                <th scope="row">{t(`exit.kind.${k}` as MessageKey)}</th>
                <td>{reapplyRules.monthsByKind[k]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}
