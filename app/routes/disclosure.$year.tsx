import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { getDisclosure } from '#app/domain.server.ts'
import { GeneralErrorBoundary } from '#app/components/general-error-boundary.tsx'
import { DisclosureBody, shanghaiDay } from '#app/components/disclosure-view.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { yearParam } from '#app/lib/disclosure-year.ts'

export { GeneralErrorBoundary as ErrorBoundary }

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.disclosure.year ?? ''} 年度信息披露 · 沈阳市公共数据授权运营平台` },
]

// Public, no sign-in: a published year's disclosure as published; an unpublished or unknown year is 404.
export async function loader({ params, context }: LoaderFunctionArgs) {
  const year = yearParam(params.year)
  if (year === null) throw new Response('Not found', { status: 404 })
  const found = await getDisclosure(context.platform.db, { year })
  if (!found.ok) throw new Response('Not found', { status: 404 })
  return { disclosure: found.value }
}

export default function PublicDisclosure() {
  const { disclosure } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <>
      <p>
        <Link to="/disclosure">← {t('disclosure.archive.title')}</Link>
      </p>
      <h1 data-testid="disclosure-title">{t('disclosure.title', { year: disclosure.year })}</h1>
      <p className="lead" data-testid="disclosure-published">
        {t('disclosure.publishedOn', {
          date: shanghaiDay(disclosure.publishedAt!),
          version: disclosure.current.version,
          figuresAt: shanghaiDay(disclosure.current.figuresAt),
        })}
        {disclosure.late && <span className="badge warn"> {t('disclosure.late')}</span>} ·{' '}
        <a href={`/disclosure/${disclosure.year}/pdf`} data-testid="disclosure-pdf">
          {t('disclosure.pdf')}
        </a>
      </p>
      <DisclosureBody disclosure={disclosure} />
    </>
  )
}
