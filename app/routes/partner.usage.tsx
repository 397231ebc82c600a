import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { summarizeUsage } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { UsageView } from '#app/components/usage-view.tsx'
import { requireUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ['partner_admin'])
  return { usage: await summarizeUsage(context.platform.db, { partnerId: user.partnerId, days: 30 }) }
}

export default function PartnerUsage() {
  const { usage } = useLoaderData<typeof loader>()
  return <UsageView usage={usage} showPartners={false} />
}
