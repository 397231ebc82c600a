import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { findBadCreditExitCandidates, listCreditRecords } from '#app/domain.server.ts'
import { CreditTable } from '#app/components/supervision/credit-table.tsx'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { requireUser } from '#app/session.server.ts'

export { GeneralErrorBoundary as ErrorBoundary }

// The credit records the bureau made (Art. 28), for the operator to weigh a partner's application (issue 12 puts them
// on the partner's own page through listActiveCreditRecords). Read only.
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['operator'])
  const { db } = context.platform
  return { records: await listCreditRecords(db), candidates: await findBadCreditExitCandidates(db) }
}

export default function OperatorCredit() {
  const { records, candidates } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <>
      <h1>{t('emergency.credit.title')}</h1>
      <p className="lead">{t('emergency.credit.intro')}</p>
      {candidates.length > 0 && (
        <p className="notice" data-testid="exit-candidates">
          {t('emergency.credit.exitCandidate')}: {candidates.map((c) => c.partner.name).join(t('common.listSeparator'))}
        </p>
      )}
      <CreditTable records={records} />
    </>
  )
}
