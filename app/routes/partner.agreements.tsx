import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { acceptAgreement, getPartnerAgreementStatus } from '#app/domain.server.ts'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { FormError, replyFor } from '#app/forms/field.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['partner_admin'])
  const status = await getPartnerAgreementStatus(context.platform.db, { partnerId: actor.partnerId ?? '-', actor })
  if (!status.ok) throw new Response('Not found', { status: 404 })
  return status.value
}

const schema = z.object({
  versionId: z.string().trim().min(1, 'required').max(100, 'length'),
  shownTextHash: z
    .string()
    .trim()
    .regex(/^[0-9a-f]{64}$/, 'invalid'),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['partner_admin'])
  const form = Object.fromEntries(await readForm(request, context))
  const target = typeof form.versionId === 'string' ? form.versionId : null
  const parsed = schema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  const { db, requestId, clientAddress } = context.platform
  const result = await acceptAgreement(db, { ...parsed.data, clientAddress, actor, requestId })
  if (!result.ok) return failedForm(result.error, { target })
  return redirect('/partner/agreements?accepted=1')
}

export default function PartnerAgreements() {
  const status = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  return (
    <>
      <h1>{t('agree.partner.title')}</h1>
      <p className="lead">{t('agree.partner.intro')}</p>
      {params.get('accepted') && !data && (
        <p className="notice" role="status" data-testid="agreement-accepted">
          {t('agree.acceptedNotice')}
        </p>
      )}
      {status.kinds.map((k) => {
        const failure = k.current ? replyFor(data, k.current.id) : null
        return (
          <section key={k.kind} className="card" data-testid={`agreement-${k.kind}`}>
            <h2>
              {t(`agree.kind.${k.kind}`)}
              {k.current &&
                ` · ${t('agree.version')} ${k.current.version} · ${lang === 'zh' ? k.current.titleZh : k.current.titleEn}`}
            </h2>
            {!k.current ? (
              <p className="muted">{t('agree.noCurrent')}</p>
            ) : (
              <>
                <p data-testid="agreement-state">
                  {k.isCurrentAccepted
                    ? t('agree.accepted')
                    : k.isInGrace
                      ? t('agree.inGrace', { date: formatTime(k.current.acceptBy, lang) })
                      : t('agree.notAccepted')}
                </p>
                {!k.isCurrentAccepted && (
                  <>
                    <pre className="agreement-text" data-testid="agreement-text">
                      {k.current.text}
                    </pre>
                    <Form method="post" noValidate data-testid={`accept-${k.kind}`}>
                      <input type="hidden" name="versionId" value={k.current.id} />
                      <input type="hidden" name="shownTextHash" value={k.current.textHash} />
                      <FormError code={failure?.formError} area="agree" />
                      <button type="submit" className="primary" disabled={busy}>
                        {t('agree.accept')}
                      </button>
                    </Form>
                  </>
                )}
              </>
            )}
            {k.acceptance && (
              <dl data-testid="agreement-record">
                <dt>{t('agree.record')}</dt>
                <dd>
                  {t('agree.version')} {k.acceptance.version}
                </dd>
                <dt>{t('agree.record.by')}</dt>
                <dd>{k.acceptance.userName}</dd>
                <dt>{t('agree.record.at')}</dt>
                <dd>{formatTime(k.acceptance.acceptedAt, lang)}</dd>
                <dt>{t('agree.record.address')}</dt>
                <dd>{k.acceptance.clientAddress ?? '—'}</dd>
                <dt>{t('agree.record.hash')}</dt>
                <dd>
                  <code>
                    {k.acceptance.hashAlgorithm.toUpperCase()} {k.acceptance.textHash}
                  </code>
                </dd>
                <dd>
                  <a href={`/partner/agreements/${k.acceptance.id}/pdf`} data-testid={`agreement-pdf-${k.kind}`}>
                    {t('agree.pdf')}
                  </a>
                </dd>
              </dl>
            )}
          </section>
        )
      })}
    </>
  )
}
