import { isRouteErrorResponse, Link, useRouteError } from '@remix-run/react'
import { useT } from '#app/i18n/use-t.ts'
import type { MessageKey } from '#app/i18n/messages.ts'

const STATUS_MESSAGES: Partial<Record<number, MessageKey>> = {
  403: 'error.403',
  404: 'error.404',
  413: 'error.413',
  415: 'error.415',
}

/** One boundary for every route, with a message per status (other 4xx: the request was refused, nothing changed). */
export function GeneralErrorBoundary() {
  const error = useRouteError()
  const t = useT()
  const status = isRouteErrorResponse(error) ? error.status : 500
  // A post without this session's CSRF token (ADR 0017): stale or foreign, not a missing permission.
  const isCsrf = isRouteErrorResponse(error) && status === 403 && error.data === 'csrf_token_invalid'
  const message = isCsrf
    ? t('error.csrf')
    : t(STATUS_MESSAGES[status] ?? (status >= 400 && status < 500 ? 'error.400' : 'error.500'))
  return (
    <div className="panel" role="alert" data-status={status} data-refusal={isCsrf ? 'csrf' : undefined}>
      <h1>
        {status} · {message}
      </h1>
      <p>
        <Link to="/">{t('error.back')}</Link>
      </p>
    </div>
  )
}
