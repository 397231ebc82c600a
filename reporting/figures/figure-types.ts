// The shape of a report's figures (Art. 25): five sections, each a list of figures; a figure is one number, or a
// total with its breakdown rows. Stored frozen as JSON on each version (operation_report_versions.figures), printed by
// `reports:generate --json`, rendered into the page, the PDF, the XLSX and the CSV. `format` changes only with a
// migration of the stored JSON.

export const SECTION_KEYS = ['storage', 'interaction', 'processing', 'fusion', 'market'] as const
export type SectionKey = (typeof SECTION_KEYS)[number]

/** count: things; fen: money in integer fen; ratio: 0–1 to 4 places; ms, bytes, rows: meters; days: ages. */
export type FigureUnit = 'count' | 'fen' | 'ratio' | 'ms' | 'bytes' | 'rows' | 'days'

export interface FigureRow {
  /** Stable: a code (product, partner, dataset, refusal code) or a month. */
  key: string
  /** For people: a Chinese name, or the key again. */
  label: string
  value: number
  /** A short remark: a dataset's update frequency and verdict, an exit kind. */
  note?: string
}

export interface Figure {
  key: string
  unit: FigureUnit
  /** The figure, or the total of its rows. */
  value: number
  rows?: FigureRow[]
}

export interface ReportSection {
  key: SectionKey
  figures: Figure[]
}

export interface ReportFigures {
  format: 1
  period: string
  kind: 'quarterly' | 'annual'
  /** First and last day of the period (Asia/Shanghai), inclusive. */
  from: string
  to: string
  /** When the figures were computed (ISO, +08:00); the age of the data behind freshness is taken then or at the end. */
  generatedAt: string
  sections: ReportSection[]
}

export const figure = (key: string, unit: FigureUnit, value: number): Figure => ({ key, unit, value })

/** A total with its rows, largest first then by key (a stable order for the JSON, the CSV and the charts). */
export function breakdown(key: string, unit: FigureUnit, rows: FigureRow[]): Figure {
  const sorted = [...rows].sort((a, b) => b.value - a.value || a.key.localeCompare(b.key))
  return { key, unit, value: sorted.reduce((s, r) => s + r.value, 0), rows: sorted }
}

/** `part / whole` to 4 places (0 when there is no whole), without float drift in the stored text. */
export function ratio(part: number, whole: number): number {
  if (whole <= 0) return 0
  return Math.round((part * 10_000) / whole) / 10_000
}

/** A figure of a section, for the tests, the CLI's text output and the charts. */
export function findFigure(figures: ReportFigures, section: SectionKey, key: string): Figure | undefined {
  return figures.sections.find((s) => s.key === section)?.figures.find((f) => f.key === key)
}

/** Items grouped by a key, in first-seen order (Map.groupBy is not in Node 20). */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const key = keyOf(item)
    const list = groups.get(key)
    if (list) list.push(item)
    else groups.set(key, [item])
  }
  return groups
}
