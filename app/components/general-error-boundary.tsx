import { isRouteErrorResponse, Link, useRouteError } from '@remix-run/react'
import { useT } from '#app/i18n/use-t.ts'

/** One boundary for every route, with a message per status. */
export function GeneralErrorBoundary() {
  const error = useRouteError()
  const t = useT()
  const status = isRouteErrorResponse(error) ? error.status : 500
  const message = status === 403 ? t('error.403') : status === 404 ? t('error.404') : t('error.500')
  return (
    <div className="panel" role="alert" data-status={status}>
      <h1>
        {status} · {message}
      </h1>
      <p>
        <Link to="/">{t('error.back')}</Link>
      </p>
    </div>
  )
}
