import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import { createApiKey, listApiKeys, revokeApiKey, rollApiKey } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { messages, type MessageKey } from '#app/i18n/messages.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { requireStepUp, requireUser } from '#app/session.server.ts'
import { formFieldErrors } from '#app/lib/form-errors.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { userActor } from '#platform/identity/permissions.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// Partner admins and developers manage their own partner's keys only.
const ROLES = ['partner_admin', 'partner_developer'] as const
const GRACE_OPTIONS = [0, 1, 24, 72, 168] as const

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ROLES)
  return { keys: await listApiKeys(context.platform.db, { partnerId: user.partnerId! }) }
}

const schema = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('create'),
    name: z.string().trim().min(1, 'required').max(60, 'length'),
    expiresOn: z.union([z.literal(''), z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'invalid')]).optional(),
    ipAllowlist: z.string().max(2000, 'length').optional(),
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

type ActionData =
  | { done: 'created' | 'rolled'; key: string; displayPrefix: string; oldKeyValidUntil: number | null }
  | { done: null; target: string | null; fields: Record<string, string>; formError: string | null; detail: string | null }

// The answer that carries a new key (shown once) must not be kept by any cache.
const NO_STORE = { headers: { 'cache-control': 'no-store' } }

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context, ROLES)
  const form = Object.fromEntries(await readForm(request, context))
  const target = typeof form.keyId === 'string' ? form.keyId : null
  const parsed = schema.safeParse(form)
  if (!parsed.success) {
    const fields = formFieldErrors(parsed.error)
    return Response.json({ done: null, target, fields, formError: null, detail: null } satisfies ActionData, { status: 400 })
  }
  const { db, requestId } = context.platform
  const actor = userActor(user)
  const input = parsed.data
  // A new key (created or rolled) is a credential to the partner's data: step-up first.
  if (input.intent !== 'revoke') requireStepUp(request, user)
  if (input.intent === 'create') {
    const expiresAt = input.expiresOn ? Date.parse(`${input.expiresOn}T23:59:59+08:00`) : null
    const result = await createApiKey(db, {
      partnerId: user.partnerId!,
      name: input.name,
      expiresAt,
      ipAllowlist: input.ipAllowlist,
      actor,
      requestId,
    })
    if (!result.ok) {
      const data: ActionData = {
        done: null,
        target: null,
        fields: result.error.fields ?? {},
        formError: result.error.fields ? null : result.error.code,
        detail: result.error.message,
      }
      return Response.json(data, { status: 400 })
    }
    return Response.json(
      {
        done: 'created',
        key: result.value.key,
        displayPrefix: result.value.displayPrefix,
        oldKeyValidUntil: null,
      } satisfies ActionData,
      NO_STORE,
    )
  }
  if (input.intent === 'roll') {
    const result = await rollApiKey(db, {
      keyId: input.keyId,
      partnerId: user.partnerId!,
      graceHours: input.graceHours,
      actor,
      requestId,
    })
    if (!result.ok) {
      return Response.json(
        {
          done: null,
          target,
          fields: result.error.fields ?? {},
          formError: result.error.code,
          detail: result.error.message,
        } satisfies ActionData,
        { status: 400 },
      )
    }
    const k = result.value
    return Response.json(
      {
        done: 'rolled',
        key: k.key,
        displayPrefix: k.displayPrefix,
        oldKeyValidUntil: k.oldKeyValidUntil,
      } satisfies ActionData,
      NO_STORE,
    )
  }
  const result = await revokeApiKey(db, {
    keyId: input.keyId,
    partnerId: user.partnerId!,
    reason: input.reason,
    actor,
    requestId,
  })
  if (!result.ok) {
    return Response.json(
      {
        done: null,
        target,
        fields: result.error.fields ?? {},
        formError: result.error.code,
        detail: result.error.message,
      } satisfies ActionData,
      { status: 400 },
    )
  }
  return redirect(`/developer/keys?revoked=${encodeURIComponent(result.value.displayPrefix)}`)
}

/** The message for a field or domain error code, with the domain's own message as the fallback detail. */
function useErrorText() {
  const t = useT()
  return (code: string, detail?: string | null) => {
    const key = `gateway.error.${code}`
    if (key in messages.zh) return t(key as MessageKey, { detail: detail?.replace(/^[^:]*:\s*/, '') ?? '' })
    return t('gateway.error.generic', { detail: detail ?? code })
  }
}

export default function DeveloperKeys() {
  const { keys } = useLoaderData<typeof loader>()
  const data = useActionData<ActionData>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const errorText = useErrorText()
  const busy = useNavigation().state !== 'idle'
  const failure = data && data.done === null ? data : null
  const createFailure = failure && failure.target === null ? failure : null
  return (
    <>
      <h1>{t('gateway.keys.title')}</h1>
      <p className="lead">{t('gateway.keys.intro')}</p>
      {params.get('revoked') && !data && (
        <p className="notice" role="status" data-testid="key-revoked">
          {t('gateway.keys.revoked', { prefix: params.get('revoked')! })}
        </p>
      )}
      {data?.done && (
        <div className="panel new-key" data-testid="new-key-panel">
          <h2>{t(data.done === 'created' ? 'gateway.keys.createdTitle' : 'gateway.keys.rolledTitle')}</h2>
          <pre data-testid="new-key">{data.key}</pre>
          <p className="notice">{t('gateway.keys.shownOnce')}</p>
          {data.oldKeyValidUntil !== null && (
            <p>{t('gateway.keys.oldValidUntil', { until: formatTime(data.oldKeyValidUntil, lang) })}</p>
          )}
        </div>
      )}
      {failure?.formError && failure.target !== null && (
        <p className="form-error" role="alert" data-testid="key-error">
          {errorText(failure.formError, failure.detail)}
        </p>
      )}

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
                    <button type="submit" disabled={busy} data-testid="roll">
                      {t('gateway.keys.roll')}
                    </button>
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
      {createFailure?.formError && (
        <p className="form-error" role="alert">
          {errorText(createFailure.formError, createFailure.detail)}
        </p>
      )}
      <Form method="post" className="stack" noValidate data-testid="create-key-form">
        <input type="hidden" name="intent" value="create" />
        <label>
          {t('gateway.keys.name')}
          <input name="name" maxLength={60} aria-invalid={createFailure?.fields.name ? true : undefined} />
          {createFailure?.fields.name && <span className="field-error">{errorText(createFailure.fields.name)}</span>}
        </label>
        <label>
          {t('gateway.keys.expiresOn')}
          <input
            name="expiresOn"
            type="date"
            aria-invalid={createFailure?.fields.expiresAt || createFailure?.fields.expiresOn ? true : undefined}
          />
          {(createFailure?.fields.expiresAt || createFailure?.fields.expiresOn) && (
            <span className="field-error">{errorText(createFailure.fields.expiresAt ?? createFailure.fields.expiresOn!)}</span>
          )}
        </label>
        <label>
          {t('gateway.keys.ipAllowlist')}
          <textarea name="ipAllowlist" rows={3} aria-invalid={createFailure?.fields.ipAllowlist ? true : undefined} />
          <span className="muted">{t('gateway.keys.ipAllowlistHint')}</span>
          {createFailure?.fields.ipAllowlist && (
            <span className="field-error" data-testid="allowlist-error">
              {errorText(createFailure.fields.ipAllowlist, createFailure.detail)}
            </span>
          )}
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {t('gateway.keys.submit')}
        </button>
      </Form>
    </>
  )
}
