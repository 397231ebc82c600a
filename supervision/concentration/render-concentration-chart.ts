import * as echarts from 'echarts'
import type { MarketConcentration } from './get-market-concentration.ts'

// The bureau's concentration chart (Art. 12(5)): the whole platform's HHI of calls and of revenue per month against
// the threshold, drawn on the server by ECharts' SSR SVG renderer (the same library as the operation reports' charts);
// no script runs in the browser. ECharts escapes every text it writes.

export interface ConcentrationChartLabels {
  title: string
  calls: string
  revenue: string
  threshold: string
}

export function renderConcentrationChart(c: MarketConcentration, labels: ConcentrationChartLabels): string {
  const overall = c.months.map((month) => c.markets.find((m) => m.month === month && m.product === null) ?? null)
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 720, height: 280 })
  try {
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: 'Noto Sans SC' },
      title: { text: labels.title, left: 'center', textStyle: { fontSize: 14 } },
      legend: { bottom: 0 },
      grid: { left: 60, right: 30, top: 40, bottom: 50 },
      xAxis: { type: 'category', data: c.months },
      yAxis: { type: 'value', min: 0, max: 10_000 },
      series: [
        {
          type: 'line',
          name: labels.calls,
          data: overall.map((m) => m?.callsHhi ?? null),
          connectNulls: false,
          markLine: {
            symbol: 'none',
            label: { formatter: `${labels.threshold} {c}` },
            lineStyle: { type: 'dashed', color: '#b42318' },
            data: [{ yAxis: c.threshold }],
          },
        },
        { type: 'line', name: labels.revenue, data: overall.map((m) => m?.revenueHhi ?? null), connectNulls: false },
      ],
    })
    return chart.renderToSVGString()
  } finally {
    chart.dispose()
  }
}
