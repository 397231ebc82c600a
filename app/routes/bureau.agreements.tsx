import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { decideAgreementVersion, listAgreementVersions } from '#app/domain.server.ts'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { FieldError, FormError, replyFor } from '#app/forms/field.tsx'
import { AgreementVersionsTable } from '#app/components/agreement-versions-table.tsx'
import { useLang, useT } from '#app/i18n/use-t.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor, requireStepUp, requireUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['bureau'])
  return { versions: await listAgreementVersions(context.platform.db) }
}

const schema = z.object({
  versionId: z.string().trim().min(1, 'required').max(100, 'length'),
  decision: z.enum(['approve', 'return'], { message: 'invalid' }),
  comment: z.string().trim().max(1000, 'length').optional(),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, actor } = await requireActor(request, context, ['bureau'])
  const form = Object.fromEntries(await readForm(request, context))
  const target = typeof form.versionId === 'string' ? form.versionId : null
  const parsed = schema.safeParse(form)
  if (!parsed.success) return invalidForm(parsed.error, { target })
  // An approval binds every partner, as a price decision does: a recent second factor first.
  if (parsed.data.decision === 'approve') requireStepUp(request, user)
  const result = await decideAgreementVersion(context.platform.db, {
    ...parsed.data,
    actor,
    requestId: context.platform.requestId,
  })
  if (!result.ok) return failedForm(result.error, { target })
  return redirect('/bureau/agreements?decided=1')
}

export default function BureauAgreements() {
  const { versions } = useLoaderData<typeof loader>()
  const data = useActionData<FormReply>()
  const [params] = useSearchParams()
  const t = useT()
  const lang = useLang()
  const busy = useNavigation().state !== 'idle'
  const drafts = versions.filter((v) => v.state === 'draft')
  return (
    <>
      <h1>{t('agree.bureau.title')}</h1>
      <p className="lead">{t('agree.bureau.intro')}</p>
      {params.get('decided') && !data && (
        <p className="notice" role="status" data-testid="agreement-decided">
          {t('agree.decided')}
        </p>
      )}
      {drafts.map((v) => {
        const failure = replyFor(data, v.id)
        return (
          <section key={v.id} className="card" data-testid={`agreement-draft-${v.kind}-${v.version}`}>
            <h2>
              {t(`agree.kind.${v.kind}`)} · {t('agree.version')} {v.version} · {lang === 'zh' ? v.titleZh : v.titleEn}
            </h2>
            <pre className="agreement-text">{lang === 'zh' ? v.bodyZh : v.bodyEn}</pre>
            <Form method="post" noValidate>
              <input type="hidden" name="versionId" value={v.id} />
              <label>
                {t('agree.comment')}
                <textarea name="comment" rows={2} maxLength={1000} />
              </label>
              <FieldError code={failure?.fields.comment} area="agree" testId="comment-error" />
              <FormError code={failure?.formError} area="agree" />
              <button type="submit" name="decision" value="approve" className="primary" disabled={busy}>
                {t('agree.approve')}
              </button>{' '}
              <button type="submit" name="decision" value="return" disabled={busy}>
                {t('agree.return')}
              </button>
            </Form>
          </section>
        )
      })}
      <AgreementVersionsTable versions={versions} />
    </>
  )
}
