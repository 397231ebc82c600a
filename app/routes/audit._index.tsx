import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { formatDay } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { requireUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// The third-party auditor's home (ADR 0026): its term, and the way to the logs. Read-only: this area has no actions.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ['auditor'])
  return {
    displayName: user.displayName,
    organization: user.organization,
    // The term's last day: access ends at the midnight after it.
    termEndsOn: user.accessExpiresAt === null ? null : formatDay(user.accessExpiresAt - 1),
  }
}

export default function AuditorHome() {
  const data = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <>
      <h1 data-testid="home-title">{t('auditor.title')}</h1>
      <p className="lead">{t('auditor.intro')}</p>
      <p>
        {t('home.welcome', { name: data.displayName })}
        {data.organization ? ` · ${t('auditor.organization')}: ${data.organization}` : ''}
      </p>
      {data.termEndsOn ? (
        <p className="notice" data-testid="auditor-term">
          {t('auditor.termEnds', { day: data.termEndsOn })}
        </p>
      ) : null}
      <p>
        <Link to="/audit/logs" className="button primary">
          {t('nav.logSearch')}
        </Link>
      </p>
    </>
  )
}
