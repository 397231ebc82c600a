import type { LoaderFunctionArgs } from '@remix-run/node'
import { operationReportDownload } from '#app/lib/operation-report-page.server.ts'
import { requireActor } from '#app/session.server.ts'

// An operation report's version as PDF, XLSX or CSV (`?format=pdf|xlsx|csv&version=N`): the operator's and the bureau's
// (the bureau only what was submitted to it: getOperationReport decides).
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator', 'bureau'])
  return operationReportDownload(context, actor, params.period ?? '', new URL(request.url))
}
