import { cloneElement, isValidElement, useId, type ButtonHTMLAttributes, type ReactElement, type ReactNode } from 'react'
import { useErrorMessage, type ErrorArea } from './error-message.ts'
import type { FormReply } from './action-reply.server.ts'

// The form kit: every page shows a field's error next to it and a form's error above its button the same way, in
// the user's language, through one translator (error-message.ts).

/** The reply of this form, when the page has several (`target` names which one failed). */
export function replyFor(data: FormReply | undefined | null, target?: string | null): FormReply | null {
  if (!data) return null
  if (target === undefined) return data
  return data.target === target ? data : null
}

/** A field's error, if any, as an alert span (ids let the input point at it). */
export function FieldError({
  code,
  id,
  area,
  vars,
  testId,
}: {
  code: string | null | undefined
  id?: string
  area?: ErrorArea
  vars?: Record<string, string | number>
  testId?: string
}) {
  const text = useErrorMessage(area)
  if (!code) return null
  return (
    <span className="field-error" role="alert" id={id} data-testid={testId}>
      {text(code, vars)}
    </span>
  )
}

/**
 * A label with its input and, when the action flagged it, the error right next to it. The input (a single element
 * child) is marked `aria-invalid` and described by the error.
 */
export function Field({
  label,
  error,
  children,
  hint,
  area,
  vars,
  errorTestId,
}: {
  label: ReactNode
  error?: string | null
  children: ReactNode
  hint?: ReactNode
  area?: ErrorArea
  vars?: Record<string, string | number>
  errorTestId?: string
}) {
  const errorId = useId()
  const input =
    error && isValidElement(children)
      ? cloneElement(children as ReactElement<Record<string, unknown>>, {
          'aria-invalid': true,
          'aria-describedby': errorId,
        })
      : children
  return (
    <label>
      {label}
      {input}
      {hint && <span className="muted catalog-hint">{hint}</span>}
      <FieldError code={error} id={errorId} area={area} vars={vars} testId={errorTestId} />
    </label>
  )
}

/** The form-level error of a failed action. */
export function FormError({
  code,
  area,
  vars,
  testId = 'form-error',
}: {
  code: string | null | undefined
  area?: ErrorArea
  vars?: Record<string, string | number>
  testId?: string
}) {
  const text = useErrorMessage(area)
  if (!code) return null
  return (
    <p className="form-error" role="alert" data-testid={testId}>
      {text(code, vars)}
    </p>
  )
}

/**
 * A submit button that asks first: for actions that cannot be undone (closing a period, refusing, terminating). The
 * question is the browser's own confirm dialog, so it works with a keyboard and a screen reader and needs no script
 * state; declined, nothing is sent.
 */
export function ConfirmButton({
  question,
  children,
  ...props
}: { question: string; children: ReactNode } & ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <button
      type="submit"
      {...props}
      onClick={(event) => {
        if (!window.confirm(question)) event.preventDefault()
        props.onClick?.(event)
      }}
    >
      {children}
    </button>
  )
}
