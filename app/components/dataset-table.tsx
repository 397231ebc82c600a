import { useEnumLabel } from '#app/i18n/enum-labels.ts'
import { useLang, useT } from '#app/i18n/use-t.ts'

interface DatasetRow {
  code: string
  nameZh: string
  nameEn: string
  domain: string
  level: string
  deliveryMode: string
  sourceUnitZh: string
  sourceUnitEn: string
}

export function DatasetTable({ datasets }: { datasets: DatasetRow[] }) {
  const t = useT()
  const lang = useLang()
  const label = useEnumLabel()
  return (
    <table>
      <thead>
        <tr>
          <th>{t('col.code')}</th>
          <th>{t('col.name')}</th>
          <th>{t('role.source_unit')}</th>
          <th>{t('col.domain')}</th>
          <th>{t('col.level')}</th>
          <th>{t('col.delivery')}</th>
        </tr>
      </thead>
      <tbody>
        {datasets.map((d) => (
          <tr key={d.code}>
            <td>
              <code>{d.code}</code>
            </td>
            <td>{lang === 'zh' ? d.nameZh : d.nameEn}</td>
            <td>{lang === 'zh' ? d.sourceUnitZh : d.sourceUnitEn}</td>
            <td>{label('datasets.domain', d.domain)}</td>
            <td>{label('datasets.level', d.level)}</td>
            <td>{label('datasets.deliveryMode', d.deliveryMode)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
