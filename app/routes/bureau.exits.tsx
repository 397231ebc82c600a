import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { PartnerExitsPage } from '#app/components/partner-exits.tsx'
import { loadExits, runExitAction } from '#app/lib/partner-exits-route.server.ts'
import { readForm } from '#app/lib/read-form.server.ts'
import { requireActor, requireUser } from '#app/session.server.ts'

// The bureau's partner exits (Art. 12(4); ADR 0033): it starts breach and bad-credit exits and sees every exit.
// The form's intents (exitFormSchema in app/lib/partner-exits-route.server.ts): z.literal('start'), z.literal('execute'), z.literal('withdraw'), z.literal('reapply').
export { GeneralErrorBoundary as ErrorBoundary }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ['bureau'])
  return loadExits(context, user, 'bureau')
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requireActor(request, context, ['bureau'])
  return runExitAction(context, actor, 'bureau', Object.fromEntries(await readForm(request, context)))
}

export default PartnerExitsPage
