import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import {
  findBadCreditExitCandidates,
  formatDay,
  listCreditRecords,
  recordCreditRecord,
  revokeCreditRecord,
} from '#app/domain.server.ts'
import { CreditTable } from '#app/components/supervision/credit-table.tsx'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { Field, FormError, replyFor } from '#app/forms/field.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { useT } from '#app/i18n/use-t.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor, requireUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// Credit records (Art. 28; ADR 0029): the bureau records violations, revokes them by a new record, and exports them for
// the city's credit platform.

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['bureau'])
  const { db } = context.platform
  return {
    records: await listCreditRecords(db),
    candidates: await findBadCreditExitCandidates(db),
    today: formatDay(Date.now()),
  }
}

const text = (max: number) => z.string().max(max, 'length').optional()
const schema = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('record'),
    subject: text(20),
    partnerCode: text(100),
    severity: text(20),
    source: text(30),
    caseRef: text(64),
    regulatorName: text(100),
    occurredOn: text(20),
    expiresOn: text(20),
    description: text(2000),
  }),
  z.object({ intent: z.literal('revoke'), record: z.string().min(1, 'required').max(100, 'length'), reason: text(2000) }),
])

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  const fields = Object.fromEntries(await readForm(request, context))
  const target = fields.intent === 'revoke' ? `revoke:${String(fields.record ?? '')}` : 'record'
  const parsed = schema.safeParse(fields)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const { db, requestId } = context.platform
  const f = parsed.data
  if (f.intent === 'revoke') {
    const revoked = await revokeCreditRecord(db, { record: f.record, reason: f.reason ?? '', actor, requestId })
    if (!revoked.ok) return failedForm(revoked.error, { target })
    return redirect(`/bureau/credit?revoked=${encodeURIComponent(revoked.value.revokedCode)}`)
  }
  const recorded = await recordCreditRecord(db, {
    input: {
      subject: f.subject ?? '',
      partnerCode: f.partnerCode,
      severity: f.severity ?? '',
      source: f.source ?? '',
      caseRef: f.caseRef,
      regulatorName: f.regulatorName,
      occurredOn: f.occurredOn ?? '',
      expiresOn: f.expiresOn ?? '',
      description: f.description ?? '',
    },
    actor,
    requestId,
  })
  if (!recorded.ok) return failedForm(recorded.error, { target })
  return redirect(`/bureau/credit?recorded=${encodeURIComponent(recorded.value.code)}`)
}

export default function BureauCredit() {
  const { records, candidates, today } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const busy = useNavigation().state !== 'idle'
  const reply = replyFor(data, 'record')
  return (
    <>
      <h1>{t('emergency.credit.title')}</h1>
      <p className="lead">{t('emergency.credit.intro')}</p>
      {params.get('recorded') && !data && (
        <p className="notice" role="status" data-testid="credit-done">
          {t('emergency.credit.recorded')} <code>{params.get('recorded')}</code>
        </p>
      )}
      {params.get('revoked') && !data && (
        <p className="notice" role="status" data-testid="credit-done">
          {t('emergency.credit.revoked', { code: params.get('revoked')! })}
        </p>
      )}
      <p>
        <a href="/bureau/credit/export?format=csv" download data-testid="export-csv">
          {t('emergency.credit.exportCsv')}
        </a>{' '}
        ·{' '}
        <a href="/bureau/credit/export?format=json" download data-testid="export-json">
          {t('emergency.credit.exportJson')}
        </a>
      </p>
      {candidates.length > 0 && (
        <p className="notice" data-testid="exit-candidates">
          {t('emergency.credit.exitCandidate')}:{' '}
          {candidates.map((c) => `${c.partner.name} (${c.recordCodes.join(', ')})`).join(t('common.listSeparator'))}
        </p>
      )}
      <CreditTable
        records={records}
        casesBase="/bureau/cases"
        actions={(r) => {
          if (r.status !== 'active' && r.status !== 'pending') return null
          const failure = replyFor(data, `revoke:${r.code}`)
          return (
            <Form method="post" className="inline">
              <input type="hidden" name="intent" value="revoke" />
              <input type="hidden" name="record" value={r.code} />
              <input
                name="reason"
                aria-label={t('emergency.credit.revokeReason')}
                placeholder={t('emergency.credit.revokeReason')}
                maxLength={2000}
              />
              <button type="submit" disabled={busy}>
                {t('emergency.credit.revoke')}
              </button>
              <FormError code={failure?.fields.reason ?? failure?.formError} area="emergency" />
            </Form>
          )
        }}
      />
      <h2>{t('emergency.credit.record')}</h2>
      <Form method="post" data-testid="record-credit">
        <input type="hidden" name="intent" value="record" />
        <Field label={t('emergency.credit.subject')} error={reply?.fields.subject} area="emergency">
          <select name="subject" defaultValue="partner">
            <option value="partner">{t('emergency.credit.subject.partner')}</option>
            <option value="operator">{t('emergency.credit.subject.operator')}</option>
          </select>
        </Field>
        <Field label={t('emergency.credit.partner')} error={reply?.fields.partnerCode} area="emergency">
          <input name="partnerCode" maxLength={100} />
        </Field>
        <Field label={t('emergency.credit.severity')} error={reply?.fields.severity} area="emergency">
          <select name="severity" defaultValue="minor">
            <option value="minor">{t('emergency.credit.severity.minor')}</option>
            <option value="major">{t('emergency.credit.severity.major')}</option>
            <option value="serious">{t('emergency.credit.severity.serious')}</option>
          </select>
        </Field>
        <Field label={t('emergency.credit.source')} error={reply?.fields.source} area="emergency">
          <select name="source" defaultValue="regulator_finding">
            <option value="regulator_finding">{t('emergency.credit.source.regulator_finding')}</option>
            <option value="case">{t('emergency.credit.source.case')}</option>
          </select>
        </Field>
        <Field label={t('emergency.credit.caseRef')} error={reply?.fields.caseRef} area="emergency">
          <input name="caseRef" maxLength={64} />
        </Field>
        <Field label={t('emergency.credit.regulator')} error={reply?.fields.regulatorName} area="emergency">
          <input name="regulatorName" maxLength={100} />
        </Field>
        <Field label={t('emergency.credit.occurredOn')} error={reply?.fields.occurredOn} area="emergency">
          <input type="date" name="occurredOn" defaultValue={today} />
        </Field>
        <Field label={t('emergency.credit.expiresOn')} error={reply?.fields.expiresOn} area="emergency">
          <input type="date" name="expiresOn" />
        </Field>
        <Field label={t('emergency.credit.description')} error={reply?.fields.description} area="emergency">
          <textarea name="description" rows={3} />
        </Field>
        <FormError code={reply?.formError} area="emergency" />
        <button type="submit" className="primary" disabled={busy}>
          {t('emergency.credit.submit')}
        </button>
      </Form>
    </>
  )
}
