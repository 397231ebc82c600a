import type { LoaderFunctionArgs } from '@remix-run/node'
import { requireActor } from '#app/session.server.ts'
import { evidenceDownload } from '#app/lib/evidence-download.server.ts'

// Resource route: a rectification evidence file of a case, as a download (ADR 0028).
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['partner_admin'])
  return evidenceDownload(context, actor, params)
}
