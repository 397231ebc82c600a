import type { Db } from '#db/client.ts'
import { loadLogLabels, type LogLang } from './read-log-page.ts'

export interface LogFilterOption {
  code: string
  name: string
}

/** The partners, products, datasets and source units a log search can be narrowed to, by name (codes as values). */
export async function listLogFilterOptions(
  db: Db,
  opts: { lang?: LogLang } = {},
): Promise<Record<'partners' | 'products' | 'datasets' | 'sourceUnits', LogFilterOption[]>> {
  const labels = await loadLogLabels(db, opts.lang ?? 'zh')
  const list = (map: Map<string, { code: string; name: string }>) =>
    [...map.values()].map((v) => ({ code: v.code, name: v.name })).sort((a, b) => a.code.localeCompare(b.code))
  return {
    partners: list(labels.partners),
    products: list(labels.products),
    datasets: list(labels.datasets),
    sourceUnits: list(labels.sourceUnits),
  }
}
