import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { listDatasets } from '#app/domain.server.ts'
import { DatasetTable } from '#app/components/dataset-table.tsx'
import { useT } from '#app/i18n/use-t.ts'
import { requireUser } from '#app/session.server.ts'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context, ['source_unit'])
  return { unitName: user.sourceUnitName, datasets: await listDatasets(context.platform.db, { sourceUnitId: user.sourceUnitId }) }
}

export default function SourceUnitHome() {
  const data = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <>
      <h1 data-testid="home-title">{t('sourceUnit.title')}</h1>
      <p className="lead">
        {data.unitName} · {t('sourceUnit.intro')}
      </p>
      <h2>{t('datasets.title')}</h2>
      <DatasetTable datasets={data.datasets} />
    </>
  )
}
