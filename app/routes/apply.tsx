import { redirect, type ActionFunctionArgs } from '@remix-run/node'
import { useActionData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { Form } from '#app/components/form.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { submitPartnerApplication } from '#app/domain.server.ts'
import { failedForm, invalidForm, type FormReply } from '#app/forms/action-reply.server.ts'
import { Field, FormError } from '#app/forms/field.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { getOptionalUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// The public application form (ADR 0030): no sign-in; the CSRF token is bound to the visitor's browser id (ADR 0017).
// The domain operation checks every field (the subject's code by its checksum) and throttles per address.
const formSchema = z.object({
  kind: z.string().max(40, 'too_long'),
  name: z.string().max(200, 'too_long'),
  uscc: z.string().max(40, 'too_long').optional(),
  idNumber: z.string().max(40, 'too_long').optional(),
  contactName: z.string().max(100, 'too_long'),
  contactPhone: z.string().max(40, 'too_long'),
  contactEmail: z.string().max(200, 'too_long'),
  scenarios: z.string().max(4000, 'too_long'),
  purpose: z.string().max(40, 'too_long'),
})

export async function action({ request, context }: ActionFunctionArgs) {
  // Applying and accepting an invite are for visitors: a signed-in account (an auditor's, a partner's) posts nothing here.
  if (await getOptionalUser(request, context)) throw new Response('Forbidden', { status: 403 })
  const parsed = formSchema.safeParse(Object.fromEntries(await readForm(request, context)))
  if (!parsed.success) return invalidForm(parsed.error)
  const result = await submitPartnerApplication(context.platform.db, {
    actor: { id: null, label: 'applicant', role: 'anonymous' },
    // The operation's own schema decides what each field may be; it refuses unknown kinds and purposes.
    input: parsed.data as Parameters<typeof submitPartnerApplication>[1]['input'],
    address: context.platform.clientAddress,
    requestId: context.platform.requestId,
  })
  if (!result.ok) return failedForm(result.error)
  return redirect(`/apply/status/${result.value.statusToken}?new=1`)
}

export default function Apply() {
  const reply = useActionData<FormReply>() ?? null
  const t = useT()
  const busy = useNavigation().state !== 'idle'
  const f = reply?.fields ?? {}
  return (
    <div className="panel" style={{ maxWidth: 720 }}>
      <h1>{t('apply.title')}</h1>
      <p className="lead">{t('apply.intro')}</p>
      <FormError code={reply?.formError} area="apply" />
      <Form method="post" className="stack" noValidate data-testid="apply-form">
        <Field label={t('apply.kind')} error={f.kind} area="apply">
          <select name="kind" defaultValue="legal_person" data-testid="apply-kind">
            <option value="legal_person">{t('apply.kind.legal_person')}</option>
            <option value="unincorporated_org">{t('apply.kind.unincorporated_org')}</option>
            <option value="natural_person">{t('apply.kind.natural_person')}</option>
          </select>
        </Field>
        <Field label={t('apply.name')} error={f.name} area="apply">
          <input name="name" maxLength={100} data-testid="apply-name" />
        </Field>
        <Field label={t('apply.uscc')} error={f.uscc} area="apply" errorTestId="apply-uscc-error">
          <input name="uscc" maxLength={18} autoComplete="off" data-testid="apply-uscc" />
        </Field>
        <Field label={t('apply.idNumber')} error={f.idNumber} area="apply" errorTestId="apply-id-error">
          <input name="idNumber" maxLength={18} autoComplete="off" data-testid="apply-id-number" />
        </Field>
        <Field label={t('apply.contactName')} error={f.contactName} area="apply">
          <input name="contactName" maxLength={50} autoComplete="name" data-testid="apply-contact-name" />
        </Field>
        <Field label={t('apply.contactPhone')} error={f.contactPhone} area="apply">
          <input name="contactPhone" maxLength={20} autoComplete="tel" data-testid="apply-contact-phone" />
        </Field>
        <Field label={t('apply.contactEmail')} error={f.contactEmail} area="apply">
          <input name="contactEmail" type="email" maxLength={200} autoComplete="email" data-testid="apply-contact-email" />
        </Field>
        <Field label={t('apply.scenarios')} error={f.scenarios} area="apply">
          <textarea name="scenarios" maxLength={2000} rows={4} data-testid="apply-scenarios" />
        </Field>
        <Field label={t('apply.purpose')} error={f.purpose} area="apply">
          <select name="purpose" defaultValue="industrial" data-testid="apply-purpose">
            <option value="industrial">{t('apply.purpose.industrial')}</option>
            <option value="public_interest">{t('apply.purpose.public_interest')}</option>
          </select>
        </Field>
        <button type="submit" className="primary" disabled={busy} data-testid="apply-submit">
          {t('apply.submit')}
        </button>
      </Form>
    </div>
  )
}
