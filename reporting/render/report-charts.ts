import * as echarts from 'echarts'
import { findFigure, type Figure, type ReportFigures, type SectionKey } from '../figures/figure-types.ts'
import { figureLabel } from '../figures/figure-labels.ts'

// The report's charts, drawn once on the server by Apache ECharts' SSR SVG renderer (no browser, no DOM): the same SVG
// text is put into the page and drawn into the PDF (svg-to-pdfkit), so what the bureau sees on screen and on paper is
// one picture. ECharts escapes every text it writes (partner and product names come from people: tested).

export interface ReportChart {
  key: string
  section: SectionKey
  title: string
  svg: string
}

export const CHART_WIDTH = 640
export const CHART_HEIGHT = 300
/** The family the page's @font-face and the PDF's embedded font answer to. */
export const CHART_FONT = 'Noto Sans SC'
const TOP = 10

function render(option: echarts.EChartsCoreOption, height = CHART_HEIGHT): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: CHART_WIDTH, height })
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: CHART_FONT }, ...option })
    return chart.renderToSVGString()
  } finally {
    chart.dispose()
  }
}

const yuan = (fen: number) => Math.round(fen) / 100

/** A column per month (a time series reads left to right). */
function monthlyBars(title: string, series: { name: string; figure: Figure; scale?: (v: number) => number }[]): string {
  const months = series[0]!.figure.rows!.map((r) => r.key)
  return render({
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    legend: series.length > 1 ? { bottom: 0 } : undefined,
    grid: { left: 70, right: 20, top: 40, bottom: series.length > 1 ? 50 : 30 },
    xAxis: { type: 'category', data: months },
    yAxis: { type: 'value', minInterval: 1 },
    series: series.map((s) => ({
      type: 'bar',
      name: s.name,
      data: s.figure.rows!.map((r) => (s.scale ? s.scale(r.value) : r.value)),
    })),
  })
}

/** The largest rows of a breakdown as horizontal bars (long Chinese names read better sideways). */
function rankedBars(title: string, figure: Figure): string {
  const rows = (figure.rows ?? []).slice(0, TOP).reverse()
  return render(
    {
      title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
      grid: { left: 200, right: 40, top: 40, bottom: 30 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: {
        type: 'category',
        data: rows.map((r) => (r.label.length > 16 ? `${r.label.slice(0, 15)}…` : r.label)),
      },
      series: [{ type: 'bar', data: rows.map((r) => r.value), label: { show: true, position: 'right' } }],
    },
    Math.max(160, 60 + rows.length * 24),
  )
}

function pie(title: string, parts: { name: string; value: number }[]): string {
  return render({
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    legend: { bottom: 0 },
    series: [{ type: 'pie', radius: ['35%', '65%'], data: parts, label: { formatter: '{b}: {c}' } }],
  })
}

/** The charts of a report, in section order; a chart with nothing to show is left out. */
export function renderReportCharts(f: ReportFigures, locale: 'zh' | 'en' = 'zh'): ReportChart[] {
  const charts: ReportChart[] = []
  const add = (key: string, section: SectionKey, draw: (title: string) => string) => {
    const title = figureLabel(key, locale)
    charts.push({ key, section, title, svg: draw(title) })
  }
  const fresh = findFigure(f, 'storage', 'datasets_fresh')
  const stale = findFigure(f, 'storage', 'datasets_stale')
  if (fresh && stale && fresh.value + stale.value > 0)
    add('freshness_by_dataset', 'storage', (title) =>
      pie(title, [
        { name: figureLabel('datasets_fresh', locale), value: fresh.value },
        { name: figureLabel('datasets_stale', locale), value: stale.value },
      ]),
    )
  const byMonth = findFigure(f, 'interaction', 'calls_by_month')
  if (byMonth?.rows?.length && byMonth.value > 0)
    add('calls_by_month', 'interaction', (title) => monthlyBars(title, [{ name: title, figure: byMonth }]))
  for (const key of ['calls_by_product', 'calls_by_partner', 'refusals_by_reason']) {
    const fig = findFigure(f, 'interaction', key)
    if (fig?.rows?.length) add(key, 'interaction', (title) => rankedBars(title, fig))
  }
  const charged = findFigure(f, 'market', 'revenue_charged_fen')
  const waived = findFigure(f, 'market', 'revenue_waived_fen')
  if (charged?.rows && waived?.rows && charged.value + waived.value > 0)
    add('revenue_charged_fen', 'market', (title) =>
      monthlyBars(`${title} / ${figureLabel('revenue_waived_fen', locale)}（¥）`, [
        { name: title, figure: charged, scale: yuan },
        { name: figureLabel('revenue_waived_fen', locale), figure: waived, scale: yuan },
      ]),
    )
  return charts
}
