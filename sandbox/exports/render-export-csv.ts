import { formatIso } from '#platform/calendar/shanghai-calendar.ts'
import type { SandboxJobResult } from '../jobs/run-sandbox-job.ts'

const cell = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : String(value)
  // Group keys are whitelisted codes and values numbers, but a spreadsheet must never see a formula (ADR 0015).
  const safe = /^[=+@\t\r]/.test(text) || (/^-/.test(text) && Number.isNaN(Number(text))) ? `'${text}` : text
  return /[",\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

/**
 * The released file of a sandbox result (issue 13): UTF-8 CSV whose first lines are a watermark naming the partner, the
 * job, the export and the time of release, then the disclosed groups exactly as the partner saw them. A withheld cell is
 * empty, its rule named in the `suppressed` column.
 */
export function renderExportCsv(opts: {
  partner: { code: string; name: string }
  jobId: string
  exportId: string
  releasedAt: number
  result: SandboxJobResult
}): string {
  const { result } = opts
  const lines = [
    `# 沈阳市公共数据授权运营平台 数据沙箱结果导出 / Data sandbox result export`,
    `# 合作方 partner: ${opts.partner.name} (${opts.partner.code})`,
    `# 作业 job: ${opts.jobId}`,
    `# 导出 export: ${opts.exportId}`,
    `# 放行时间 released: ${formatIso(opts.releasedAt)}`,
    `# k = ${result.k}, level ${result.level}; groups withheld: ${result.disclosure.groupsSuppressed}; cells withheld: ${result.disclosure.cellsSuppressed}${result.disclosure.noise ? `; Laplace noise ε = ${result.disclosure.noise.epsilon}` : ''}`,
    [...result.groupBy, ...result.aggregates, 'suppressed'].map(cell).join(','),
  ]
  for (const g of result.groups) {
    const suppressed = Object.entries(g.suppressed ?? {})
      .map(([k, rule]) => `${k}=${rule}`)
      .join(';')
    lines.push(
      [...result.groupBy.map((k) => g.key[k]), ...result.aggregates.map((a) => g.values[a]), suppressed].map(cell).join(','),
    )
  }
  return lines.join('\n') + '\n'
}
