import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { LOG_KINDS, formatDay, listRetentionPolicies, purgeLogs, setRetentionPolicy } from '#app/domain.server.ts'
import { Field, FormError, replyFor } from '#app/forms/field.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import type { MessageKey } from '#app/i18n/messages.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatCount, formatTime } from '#app/lib/format.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor, requireStepUp, requireUser } from '#app/session.server.ts'

// The bureau's log retention (Art. 17; ADR 0027): the policy per log kind, and a purge under it.

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['bureau'])
  const kinds = await listRetentionPolicies(context.platform.db)
  return {
    kinds: kinds.map((k) => ({
      ...k,
      purgeBeforeDay: k.purgeBefore === null ? null : formatDay(k.purgeBefore),
      legalBeforeDay: formatDay(k.legalBefore),
    })),
  }
}

const kind = z.enum(LOG_KINDS, { message: 'unknown_log_kind' })
const schema = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('setPolicy'),
    kind,
    keepMonths: z.coerce
      .number({ message: 'invalid_keep_months' })
      .int('invalid_keep_months')
      .min(6, 'below_legal_minimum')
      .max(1200, 'invalid_keep_months'),
    note: z.string().trim().max(500, 'length').optional(),
  }),
  z.object({ intent: z.literal('purge'), kind, dryRun: z.literal('on').optional() }),
])

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, actor } = await requireActor(request, context, ['bureau'])
  const form = Object.fromEntries(await readForm(request, context))
  const target = typeof form.intent === 'string' && typeof form.kind === 'string' ? `${form.intent}:${form.kind}` : null
  const parsed = schema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const { db } = context.platform
  const input = parsed.data
  if (input.intent === 'setPolicy') {
    const result = await setRetentionPolicy(db, { kind: input.kind, keepMonths: input.keepMonths, note: input.note, actor })
    if (!result.ok) return failedForm(result.error, { target })
    return redirect(`/bureau/retention?saved=${input.kind}`)
  }
  const dryRun = input.dryRun === 'on'
  // Deleting logs is consequential: a fresh second factor first (a count changes nothing).
  if (!dryRun) requireStepUp(request, user)
  const result = await purgeLogs(db, { kind: input.kind, dryRun, actor })
  if (!result.ok) return failedForm(result.error, { target })
  const r = result.value
  const query = new URLSearchParams({
    purged: r.kind,
    rows: String(r.rows),
    months: String(r.keepMonths),
    day: formatDay(r.purgeBefore),
    ...(dryRun ? { dry: '1' } : {}),
  })
  return redirect(`/bureau/retention?${query}`)
}

export default function BureauRetention() {
  const { kinds } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const kindLabel = (k: string) => t(`retention.kind.${k}` as MessageKey)
  const purged = params.get('purged')
  return (
    <>
      <h1>{t('retention.title')}</h1>
      <p className="lead">{t('retention.intro')}</p>
      {params.get('saved') && !data && (
        <p className="notice" role="status" data-testid="retention-saved">
          {t('retention.saved', { kind: kindLabel(params.get('saved')!) })}
        </p>
      )}
      {purged && !data && (
        <p className="notice" role="status" data-testid="retention-purged">
          {t(params.get('dry') ? 'retention.wouldPurge' : 'retention.purged', {
            kind: kindLabel(purged),
            rows: formatCount(Number(params.get('rows') ?? 0), lang),
            months: params.get('months') ?? '',
            day: params.get('day') ?? '',
          })}
        </p>
      )}

      <h2>{t('retention.policies')}</h2>
      <table data-testid="retention-policies">
        <thead>
          <tr>
            <th>{t('retention.kind')}</th>
            <th>{t('retention.tables')}</th>
            <th>{t('retention.keepMonths')}</th>
            <th>{t('retention.setBy')}</th>
            <th>{t('retention.legalBefore')}</th>
            <th>{t('retention.purgeBefore')}</th>
          </tr>
        </thead>
        <tbody>
          {kinds.map((k) => (
            <tr key={k.kind} data-testid={`retention-${k.kind}`}>
              <td>{kindLabel(k.kind)}</td>
              <td>
                {k.tables.map((table) => (
                  <code key={table}>{table} </code>
                ))}
              </td>
              <td data-testid="keep-months">{k.policy ? k.policy.keepMonths : t('retention.none')}</td>
              <td>
                {k.policy ? `${k.policy.setByLabel} · ${formatTime(k.policy.setAt, lang)}` : '—'}
                {k.policy?.note ? <div className="muted">{k.policy.note}</div> : null}
              </td>
              <td>{k.legalBeforeDay}</td>
              <td>{k.purgeBeforeDay ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        {t('retention.forever')}: {t('retention.foreverTables')}
      </p>

      {kinds.map((k) => {
        const policyReply = replyFor(data, `setPolicy:${k.kind}`)
        const purgeReply = replyFor(data, `purge:${k.kind}`)
        return (
          <section key={k.kind} data-testid={`retention-forms-${k.kind}`}>
            <h2>{kindLabel(k.kind)}</h2>
            <Form method="post" noValidate data-testid={`policy-form-${k.kind}`}>
              <input type="hidden" name="intent" value="setPolicy" />
              <input type="hidden" name="kind" value={k.kind} />
              <Field
                label={t('retention.keepMonths')}
                hint={t('retention.keepHint')}
                error={policyReply?.fields.keepMonths}
                area="gateway"
              >
                <input
                  name="keepMonths"
                  type="number"
                  min={6}
                  max={1200}
                  step={1}
                  defaultValue={k.policy?.keepMonths ?? 6}
                  required
                />
              </Field>
              <Field label={t('retention.note')} error={policyReply?.fields.note} area="gateway">
                <input name="note" maxLength={500} defaultValue={k.policy?.note ?? ''} />
              </Field>
              <FormError code={policyReply?.formError} area="gateway" />
              <button type="submit" className="primary" disabled={busy}>
                {t('retention.set')}
              </button>
            </Form>
            <Form method="post" noValidate data-testid={`purge-form-${k.kind}`}>
              <input type="hidden" name="intent" value="purge" />
              <input type="hidden" name="kind" value={k.kind} />
              <label>
                <input type="checkbox" name="dryRun" defaultChecked /> {t('retention.dryRun')}
              </label>
              <FormError code={purgeReply?.formError} area="gateway" />
              <button type="submit" disabled={busy || k.policy === null}>
                {t('retention.purge')}
              </button>
            </Form>
          </section>
        )
      })}
    </>
  )
}
