import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import { createApiKey, listApiKeys, listSubscriptions, revokeApiKey, rollApiKey } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { CopyButton } from '#app/components/copy-button.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { requireActor, requireStepUp, requireUser } from '#app/session.server.ts'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { ConfirmButton, Field, FormError, replyFor } from '#app/forms/field.tsx'
import { readForm } from '#app/lib/read-form.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// Partner admins and developers manage their own partner's keys only.
const ROLES = ['partner_admin', 'partner_developer'] as const
const GRACE_OPTIONS = [0, 1, 24, 72, 168] as const

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ROLES)
  const { db } = context.platform
  const [keys, subscriptions] = await Promise.all([
    listApiKeys(db, { partnerId: user.partnerId! }),
    // A key may serve one subscription (ADR 0032): its purpose and plan then decide the price of its calls.
    listSubscriptions(db, { partnerId: user.partnerId!, state: 'active' }),
  ])
  return { keys, subscriptions: subscriptions.filter((s) => s.endsAt === null || s.endsAt > Date.now()) }
}

const schema = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('create'),
    name: z.string().trim().min(1, 'required').max(60, 'length'),
    // The day itself is read and checked by createApiKey (a real Shanghai day, today or later).
    expiresOn: z.string().max(40, 'invalid').optional(),
    ipAllowlist: z.string().max(2000, 'length').optional(),
    subscriptionId: z.string().max(64, 'invalid').optional(),
  }),
  z.object({
    intent: z.literal('roll'),
    keyId: z.string().min(1, 'required'),
    graceHours: z.coerce.number().int('invalid').min(0, 'range').max(720, 'range'),
  }),
  z.object({
    intent: z.literal('revoke'),
    keyId: z.string().min(1, 'required'),
    reason: z.string().max(200, 'length').optional(),
  }),
])

/** What a successful create or roll answers: the new key, shown once. */
interface NewKeyReply {
  done: 'created' | 'rolled'
  key: string
  displayPrefix: string
  oldKeyValidUntil: number | null
}

// The answer that carries a new key (shown once) must not be kept by any cache.
const NO_STORE = { headers: { 'cache-control': 'no-store' } }

/** The create form's target; a row's roll and revoke forms are targeted by their key's id. */
const CREATE = 'create'

/** What an error sentence may quote from the refusal: the part after "…: " (the addresses that are not CIDRs). */
const detailOf = (message: string) => ({ detail: message.replace(/^[^:]*:\s*/, '') })

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, actor } = await requireActor(request, context, ROLES)
  const form = Object.fromEntries(await readForm(request, context))
  const target = typeof form.keyId === 'string' ? form.keyId : CREATE
  const parsed = schema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const { db, requestId } = context.platform
  const input = parsed.data
  // A new key (created or rolled) is a credential to the partner's data: step-up first.
  if (input.intent !== 'revoke') requireStepUp(request, user)
  if (input.intent === 'create') {
    const result = await createApiKey(db, {
      partnerId: user.partnerId!,
      name: input.name,
      expiresOn: input.expiresOn,
      ipAllowlist: input.ipAllowlist,
      subscriptionId: input.subscriptionId,
      actor,
      requestId,
    })
    if (!result.ok) return failedForm(result.error, { target, vars: detailOf(result.error.message) })
    const { key, displayPrefix } = result.value
    return Response.json({ done: 'created', key, displayPrefix, oldKeyValidUntil: null } satisfies NewKeyReply, NO_STORE)
  }
  if (input.intent === 'roll') {
    const result = await rollApiKey(db, {
      keyId: input.keyId,
      partnerId: user.partnerId!,
      graceHours: input.graceHours,
      actor,
      requestId,
    })
    // A row's form has no field to mark: its failure reads above the table.
    if (!result.ok) return failedForm(result.error, { target, shownFields: [], vars: detailOf(result.error.message) })
    const { key, displayPrefix, oldKeyValidUntil } = result.value
    return Response.json({ done: 'rolled', key, displayPrefix, oldKeyValidUntil } satisfies NewKeyReply, NO_STORE)
  }
  const result = await revokeApiKey(db, {
    keyId: input.keyId,
    partnerId: user.partnerId!,
    reason: input.reason,
    actor,
    requestId,
  })
  if (!result.ok) return failedForm(result.error, { target, shownFields: [], vars: detailOf(result.error.message) })
  return redirect(`/developer/keys?revoked=${encodeURIComponent(result.value.displayPrefix)}`)
}

export default function DeveloperKeys() {
  const loaded = useLoaderData<typeof loader>()
  const { keys } = loaded
  const data = useActionData<NewKeyReply | FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const failure = data && 'target' in data ? data : null
  const createFailure = replyFor(failure, CREATE)
  const rowFailure = failure && failure.target !== CREATE ? failure : null
  return (
    <>
      <h1>{t('gateway.keys.title')}</h1>
      <p className="lead">{t('gateway.keys.intro')}</p>
      {params.get('revoked') && !data && (
        <p className="notice" role="status" data-testid="key-revoked">
          {t('gateway.keys.revoked', { prefix: params.get('revoked')! })}
        </p>
      )}
      {data && 'done' in data && (
        <div className="panel new-key" data-testid="new-key-panel">
          <h2>{t(data.done === 'created' ? 'gateway.keys.createdTitle' : 'gateway.keys.rolledTitle')}</h2>
          <pre data-testid="new-key">{data.key}</pre>
          <CopyButton text={data.key} what={t('copy.key')} testId="copy-new-key" />
          <p className="notice">{t('gateway.keys.shownOnce')}</p>
          {data.oldKeyValidUntil !== null && (
            <p>{t('gateway.keys.oldValidUntil', { until: formatTime(data.oldKeyValidUntil, lang) })}</p>
          )}
        </div>
      )}
      <FormError code={rowFailure?.formError} area="gateway" vars={rowFailure?.vars} testId="key-error" />

      <table data-testid="keys-table">
        <thead>
          <tr>
            <th>{t('col.name')}</th>
            <th>{t('col.prefix')}</th>
            <th>{t('gateway.keys.state')}</th>
            <th>{t('col.created')}</th>
            <th>{t('gateway.keys.expires')}</th>
            <th>{t('gateway.keys.allowlist')}</th>
            <th>{t('col.lastUsed')}</th>
            <th>{t('gateway.keys.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {keys.length === 0 && (
            <tr>
              <td colSpan={8} className="muted">
                {t('keys.none')}
              </td>
            </tr>
          )}
          {keys.map((k) => (
            <tr key={k.id} data-testid={`key-row-${k.displayPrefix}`}>
              <td>{k.name}</td>
              <td>
                <code>{k.displayPrefix}…</code>
              </td>
              <td>
                <span
                  className={`badge ${k.state === 'active' ? 'ok' : k.state === 'grace' ? '' : 'bad'}`}
                  data-testid="key-state"
                >
                  {t(`gateway.keyState.${k.state}` as const)}
                </span>
              </td>
              <td>
                {formatTime(k.createdAt, lang)}
                {k.createdBy ? ` · ${k.createdBy}` : ''}
              </td>
              <td>{k.expiresAt ? formatTime(k.expiresAt, lang) : t('gateway.keys.never')}</td>
              <td>{k.ipAllowlist ? <code>{k.ipAllowlist.split(',').join(', ')}</code> : t('gateway.keys.any')}</td>
              <td>{formatTime(k.lastUsedAt, lang)}</td>
              <td className="key-actions">
                {k.state === 'active' && (
                  <Form method="post" className="inline">
                    <input type="hidden" name="intent" value="roll" />
                    <input type="hidden" name="keyId" value={k.id} />
                    <label>
                      {t('gateway.keys.grace')}
                      <select name="graceHours" defaultValue="24">
                        {GRACE_OPTIONS.map((h) => (
                          <option key={h} value={h}>
                            {h === 0 ? t('gateway.keys.graceNone') : t('gateway.keys.graceHours', { n: h })}
                          </option>
                        ))}
                      </select>
                    </label>
                    <ConfirmButton question={t('gateway.keys.rollConfirm')} disabled={busy} data-testid="roll">
                      {t('gateway.keys.roll')}
                    </ConfirmButton>
                  </Form>
                )}
                {(k.state === 'active' || k.state === 'grace') && (
                  <Form
                    method="post"
                    className="inline"
                    onSubmit={(event) => {
                      if (!window.confirm(t('gateway.keys.revokeConfirm'))) event.preventDefault()
                    }}
                  >
                    <input type="hidden" name="intent" value="revoke" />
                    <input type="hidden" name="keyId" value={k.id} />
                    <input
                      name="reason"
                      placeholder={t('gateway.keys.revokeReason')}
                      aria-label={t('gateway.keys.revokeReason')}
                      maxLength={200}
                    />
                    <button type="submit" disabled={busy} data-testid="revoke">
                      {t('gateway.keys.revoke')}
                    </button>
                  </Form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t('gateway.keys.create')}</h2>
      <FormError code={createFailure?.formError} area="gateway" vars={createFailure?.vars} />
      <Form method="post" className="stack" noValidate data-testid="create-key-form">
        <input type="hidden" name="intent" value="create" />
        <Field label={t('gateway.keys.name')} error={createFailure?.fields.name} area="gateway">
          <input name="name" maxLength={60} />
        </Field>
        <Field label={t('plans.keySubscription')} error={createFailure?.fields.subscriptionId} area="plans">
          <select name="subscriptionId" defaultValue="">
            <option value="">{t('plans.keyAllSubscriptions')}</option>
            {loaded.subscriptions.map((s) => (
              <option key={s.id} value={s.id}>
                {s.productCode} · {t(s.purpose === 'industrial' ? 'purpose.industrial' : 'purpose.public_interest')} ·{' '}
                {s.scenario ?? ''}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('gateway.keys.expiresOn')} error={createFailure?.fields.expiresOn} area="gateway">
          <input name="expiresOn" type="date" />
        </Field>
        <Field
          label={t('gateway.keys.ipAllowlist')}
          error={createFailure?.fields.ipAllowlist}
          hint={t('gateway.keys.ipAllowlistHint')}
          area="gateway"
          vars={createFailure?.vars}
          errorTestId="allowlist-error"
        >
          <textarea name="ipAllowlist" rows={3} />
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {t('gateway.keys.submit')}
        </button>
      </Form>
    </>
  )
}
