import type { LoaderFunctionArgs } from '@remix-run/node'
import { exportCreditRecords } from '#app/domain.server.ts'
import { requireUser } from '#app/session.server.ts'

// The credit records for the city's credit platform (Art. 28; ADR 0029): ?format=csv (default) or json, &active=1 for
// the records in force only.
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context, ['bureau'])
  const url = new URL(request.url)
  const format = url.searchParams.get('format') ?? 'csv'
  if (format !== 'csv' && format !== 'json') throw new Response('format must be csv or json', { status: 400 })
  const exported = await exportCreditRecords(context.platform.db, { format, onlyActive: url.searchParams.get('active') === '1' })
  return new Response(exported.body, {
    headers: {
      'content-type': exported.contentType,
      'content-disposition': `attachment; filename="${exported.fileName}"`,
      'cache-control': 'no-store',
    },
  })
}
