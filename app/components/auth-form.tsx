import { Field, FormError } from '#app/forms/field.tsx'
import type { ErrorArea } from '#app/forms/error-message.ts'
import type { FormReply } from '#app/forms/action-reply.server.ts'
import { useLang } from '#app/i18n/use-t.ts'
import { formatTime } from '#app/lib/format.ts'

// Pieces of the sign-in and account pages: the second-factor code field (the sign-in's second step, the step-up
// before a consequential action, the enrolment's confirmation) and their refusal, whose `{until}` is a moment.

/** The code of a second factor, with its error next to it. `name` is the form's contract with its action. */
export function OneTimeCodeField({
  name,
  label,
  error,
  numeric = false,
  autoFocus = false,
}: {
  name: string
  label: string
  error: string | null | undefined
  /** Only a TOTP code (the enrolment): a numeric keypad. Elsewhere a recovery code is accepted too. */
  numeric?: boolean
  autoFocus?: boolean
}) {
  return (
    <Field label={label} error={error} area="auth" errorTestId="code-error">
      <input name={name} autoComplete="one-time-code" inputMode={numeric ? 'numeric' : 'text'} autoFocus={autoFocus} />
    </Field>
  )
}

/** The form error of a refused sign-in step; a lock's or a delay's end (`vars.until`, epoch ms) as a local time. */
export function AuthFormError({ reply, area = 'auth', testId }: { reply: FormReply | null; area?: ErrorArea; testId?: string }) {
  const lang = useLang()
  const until = reply?.vars?.until
  return (
    <FormError
      code={reply?.formError}
      area={area}
      vars={until ? { until: formatTime(Number(until), lang) } : undefined}
      testId={testId}
    />
  )
}
