import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Form } from '#app/components/form.tsx'
import { z } from 'zod'
import { listSuspensions, resumePartner, resumeProduct, suspendPartner, suspendProduct } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { FieldError, FormError, replyFor } from '#app/forms/field.tsx'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { requireActor, requireStepUp, requireUser } from '#app/session.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['bureau'])
  return await listSuspensions(context.platform.db)
}

const schema = z
  .object({
    intent: z.enum(['suspendProduct', 'resumeProduct', 'suspendPartner', 'resumePartner']),
    code: z.string().trim().min(1, 'required'),
    reason: z.string().trim().max(500, 'length').optional(),
  })
  .superRefine((v, ctx) => {
    if (v.intent.startsWith('suspend') && (v.reason ?? '').length < 4)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['reason'], message: 'required' })
  })

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, actor } = await requireActor(request, context, ['bureau'])
  const form = Object.fromEntries(await readForm(request, context))
  const target =
    typeof form.intent === 'string' && typeof form.code === 'string'
      ? `${form.intent.replace(/^(suspend|resume)/, '')}:${form.code}`
      : null
  const parsed = schema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const { db, requestId } = context.platform
  const { intent, code, reason } = parsed.data
  if (intent.startsWith('suspend')) requireStepUp(request, user)
  const result =
    intent === 'suspendProduct'
      ? await suspendProduct(db, { productCode: code, reason: reason ?? '', actor, requestId })
      : intent === 'resumeProduct'
        ? await resumeProduct(db, { productCode: code, reason, actor, requestId })
        : intent === 'suspendPartner'
          ? await suspendPartner(db, { partnerCode: code, reason: reason ?? '', actor, requestId })
          : await resumePartner(db, { partnerCode: code, reason, actor, requestId })
  if (!result.ok) return failedForm(result.error, { target })
  return redirect(`/bureau/suspensions?done=${encodeURIComponent(`${intent}:${code}`)}`)
}

export default function BureauSuspensions() {
  const { products, partners } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const current = [
    ...products
      .filter((p) => p.suspendedAt !== null)
      .map((p) => ({
        key: `Product:${p.code}`,
        label: lang === 'zh' ? p.nameZh : p.nameEn,
        code: p.code,
        since: p.suspendedAt,
        reason: p.reason,
      })),
    ...partners
      .filter((p) => p.state === 'suspended')
      .map((p) => ({ key: `Partner:${p.code}`, label: p.name, code: p.code, since: p.suspendedAt, reason: p.reason })),
  ]

  /** A row's suspend/resume form (called, not mounted as a component, so typing survives re-renders). */
  function suspendForm(kind: 'Product' | 'Partner', code: string, suspended: boolean) {
    const failure = replyFor(data, `${kind}:${code}`)
    // An inline form with no visible label (the input's aria-label names it): the error is tied to it by this id.
    const reasonErrorId = `reason-error-${kind}-${code}`
    return (
      <Form
        key={`${kind}:${code}:${suspended}`}
        method="post"
        className="inline"
        noValidate
        data-testid={`${kind.toLowerCase()}-form-${code}`}
      >
        <input type="hidden" name="intent" value={`${suspended ? 'resume' : 'suspend'}${kind}`} />
        <input type="hidden" name="code" value={code} />
        <input
          name="reason"
          placeholder={t('gateway.susp.reason')}
          aria-label={t('gateway.susp.reason')}
          maxLength={500}
          aria-invalid={failure?.fields.reason ? true : undefined}
          aria-describedby={failure?.fields.reason ? reasonErrorId : undefined}
        />
        <button type="submit" className={suspended ? '' : 'primary'} disabled={busy}>
          {t(suspended ? 'gateway.susp.resume' : 'gateway.susp.suspend')}
        </button>
        <FieldError code={failure?.fields.reason} id={reasonErrorId} area="gateway" testId="reason-error" />
        <FormError code={failure?.formError} area="gateway" />
      </Form>
    )
  }

  return (
    <>
      <h1>{t('gateway.susp.title')}</h1>
      <p className="lead">{t('gateway.susp.intro')}</p>
      {params.get('done') && !data && (
        <p className="notice" role="status" data-testid="suspension-done">
          {t('gateway.susp.done', {
            what: `${t(params.get('done')!.startsWith('suspend') ? 'gateway.susp.suspend' : 'gateway.susp.resume')} ${params.get('done')!.split(':')[1] ?? ''}`,
          })}
        </p>
      )}

      <h2>{t('gateway.susp.current')}</h2>
      {current.length === 0 ? (
        <p className="muted">{t('gateway.susp.noneCurrent')}</p>
      ) : (
        <table data-testid="current-suspensions">
          <thead>
            <tr>
              <th>{t('col.name')}</th>
              <th>{t('col.code')}</th>
              <th>{t('gateway.susp.since')}</th>
              <th>{t('gateway.susp.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {current.map((c) => (
              <tr key={c.key}>
                <td>{c.label}</td>
                <td>
                  <code>{c.code}</code>
                </td>
                <td>{formatTime(c.since, lang)}</td>
                <td>{c.reason ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>{t('gateway.susp.products')}</h2>
      <table data-testid="suspension-products">
        <thead>
          <tr>
            <th>{t('col.product')}</th>
            <th>{t('gateway.subs.state')}</th>
            <th>{t('gateway.keys.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {products.map((p) => (
            <tr key={p.code} data-testid={`product-${p.code}`}>
              <td>
                {lang === 'zh' ? p.nameZh : p.nameEn} <code>{p.code}</code>
              </td>
              <td>
                <span className={`badge ${p.suspendedAt === null ? 'ok' : 'bad'}`} data-testid="state">
                  {t(p.suspendedAt === null ? 'gateway.susp.state.running' : 'gateway.susp.state.suspended')}
                </span>
              </td>
              <td>{suspendForm('Product', p.code, p.suspendedAt !== null)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t('gateway.susp.partners')}</h2>
      <table data-testid="suspension-partners">
        <thead>
          <tr>
            <th>{t('col.partner')}</th>
            <th>{t('gateway.subs.state')}</th>
            <th>{t('gateway.keys.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {partners.map((p) => (
            <tr key={p.code} data-testid={`partner-${p.code}`}>
              <td>
                {p.name} <code>{p.code}</code>
              </td>
              <td>
                <span className={`badge ${p.state === 'active' ? 'ok' : 'bad'}`} data-testid="state">
                  {t(
                    p.state === 'active'
                      ? 'gateway.susp.state.running'
                      : p.state === 'suspended'
                        ? 'gateway.susp.state.suspended'
                        : 'gateway.susp.state.exited',
                  )}
                </span>
              </td>
              <td>{p.state !== 'exited' && suspendForm('Partner', p.code, p.state === 'suspended')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
