import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { summarizeUsage } from '#app/domain.server.ts'
import { UsageView } from '#app/components/usage-view.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { requireUser } from '#app/session.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ['partner_developer'])
  return { usage: await summarizeUsage(context.platform.db, { partnerId: user.partnerId, days: 30 }) }
}

export default function DeveloperUsage() {
  const { usage } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <>
      <h1>{t('usage.title')}</h1>
      <UsageView usage={usage} showPartners={false} />
    </>
  )
}
