import { Form as RemixForm, useRouteLoaderData, type FormProps } from '@remix-run/react'
import { forwardRef } from 'react'
import { CSRF_FIELD } from '#platform/csrf/csrf-names.ts'
import type { loader as rootLoader } from '#app/root.tsx'

/** This session's CSRF token, from the root loader (it changes at sign-in and sign-out; every form re-reads it). */
export function useCsrfToken(): string {
  return useRouteLoaderData<typeof rootLoader>('root')?.csrfToken ?? ''
}

/** The hidden field that carries the token; for a plain `<form method="post">`. */
export function AuthenticityTokenInput() {
  return <input type="hidden" name={CSRF_FIELD} value={useCsrfToken()} />
}

/**
 * Remix's Form with the CSRF token in every form that posts (ADR 0017). The only Form of the app: an ESLint rule
 * forbids Remix's own in app/, so a new form cannot forget the token.
 */
export const Form = forwardRef<HTMLFormElement, FormProps>(function Form({ children, ...props }, ref) {
  const posts = (props.method ?? 'get').toLowerCase() !== 'get'
  return (
    <RemixForm ref={ref} {...props}>
      {posts && <AuthenticityTokenInput />}
      {children}
    </RemixForm>
  )
})
