import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { listAuthorizations } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { AuthorizationTable } from '#app/components/catalog/authorization-table.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { requireUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ['source_unit'])
  // Least privilege: only the authorizations of this unit's datasets.
  return {
    unitName: user.sourceUnitName,
    authorizations: await listAuthorizations(context.platform.db, { sourceUnitId: user.sourceUnitId ?? '-' }),
    now: Date.now(),
  }
}

export default function SourceUnitAuthorizations() {
  const { unitName, authorizations, now } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <>
      <h1>{t('catalog.auth.title')}</h1>
      <p className="lead">
        {unitName} · {t('catalog.auth.unitIntro')}
      </p>
      {authorizations.length === 0 ? (
        <p className="muted">{t('catalog.queue.empty')}</p>
      ) : (
        <AuthorizationTable rows={authorizations} now={now} />
      )}
    </>
  )
}
