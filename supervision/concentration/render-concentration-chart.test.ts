import { describe, expect, it } from 'vitest'
import type { MarketConcentration, MarketMonth } from './get-market-concentration.ts'
import { renderConcentrationChart } from './render-concentration-chart.ts'

const month = (m: string, callsHhi: number | null, revenueHhi: number | null): MarketMonth => ({
  month: m,
  product: null,
  calls: 10,
  revenueFen: 100,
  callsHhi,
  revenueHhi,
  isFlagged: false,
  shares: [],
})

describe('the concentration chart', () => {
  const data: MarketConcentration = {
    threshold: 2500,
    thresholdSetAt: null,
    months: ['2026-09', '2026-10', '2026-11'],
    markets: [month('2026-09', 3800, null), month('2026-10', 3333.33, 5000), month('2026-11', null, null)],
  }
  const labels = { title: '集中度 <script>', calls: '调用量 HHI', revenue: '收入 HHI', threshold: '阈值' }

  it('draws an SVG with every month, both series and the threshold line', () => {
    const svg = renderConcentrationChart(data, labels)
    expect(svg.startsWith('<svg')).toBe(true)
    for (const m of data.months) expect(svg).toContain(m)
    expect(svg).toContain('调用量 HHI')
    expect(svg).toContain('收入 HHI')
    expect(svg).toContain('阈值 2500')
  })

  it('escapes the text it is given', () => {
    const svg = renderConcentrationChart(data, labels)
    expect(svg).not.toContain('<script>')
    expect(svg).toContain('&lt;script&gt;')
  })
})
