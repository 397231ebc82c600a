import type { LoaderFunctionArgs } from '@remix-run/node'
import { getDisclosure, renderDisclosurePdf } from '#app/domain.server.ts'
import { yearParam } from '#app/lib/disclosure-year.ts'

// Resource route, public: a published year's disclosure as PDF (Chinese, embedded font); unpublished → 404.
export async function loader({ params, context }: LoaderFunctionArgs) {
  const year = yearParam(params.year)
  if (year === null) throw new Response('Not found', { status: 404 })
  const found = await getDisclosure(context.platform.db, { year })
  if (!found.ok) throw new Response('Not found', { status: 404 })
  const pdf = await renderDisclosurePdf(found.value)
  return new Response(new Uint8Array(pdf), {
    headers: {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `inline; filename="disclosure-${year}.pdf"`,
      // Public and final once published.
      'Cache-Control': 'public, max-age=3600',
    },
  })
}
