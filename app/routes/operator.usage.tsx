import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { summarizeUsage } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { UsageView } from '#app/components/usage-view.tsx'
import { requireUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  return { usage: await summarizeUsage(context.platform.db, { days: 30 }) }
}

export default function OperatorUsage() {
  const { usage } = useLoaderData<typeof loader>()
  return <UsageView usage={usage} showPartners />
}
