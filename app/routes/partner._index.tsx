import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { summarizeUsage } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { UsageTotalStat } from '#app/components/usage-view.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { requireUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ['partner_admin'])
  const usage = await summarizeUsage(context.platform.db, { partnerId: user.partnerId, days: 30, recentLimit: 0 })
  return { partnerName: user.partnerName, totalCalls: usage.totalCalls }
}

export default function PartnerHome() {
  const data = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <>
      <h1 data-testid="home-title">{t('partner.title')}</h1>
      <p className="lead">
        {data.partnerName} · {t('partner.intro')}
      </p>
      <UsageTotalStat totalCalls={data.totalCalls} href="/partner/usage" />
    </>
  )
}
