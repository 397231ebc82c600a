import type { LoaderFunctionArgs } from '@remix-run/node'
import { evaluationEvidenceDownload } from '#app/lib/evaluation-evidence-download.server.ts'
import { requireActor } from '#app/session.server.ts'

// Resource route: an evaluation evidence file, as a download (ADR 0034); not its own subject's: 404.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context, ['operator'])
  return evaluationEvidenceDownload(context, actor, params.id)
}
