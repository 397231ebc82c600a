import { describe, expect, it } from 'vitest'
import { DAY_MS } from '#platform/calendar/shanghai-calendar.ts'
import { datasetFreshness } from './dataset-freshness.ts'

describe('dataset freshness against its update frequency', () => {
  const asOf = Date.UTC(2026, 8, 30)
  it('a daily dataset: fresh up to two days, stale after', () => {
    expect(datasetFreshness('daily', asOf - 2 * DAY_MS, asOf)).toEqual({ isFresh: true, ageDays: 2 })
    expect(datasetFreshness('daily', asOf - 2 * DAY_MS - 1, asOf)).toEqual({ isFresh: false, ageDays: 2 })
  })
  it('monthly 32 days, yearly 366, static once loaded', () => {
    expect(datasetFreshness('monthly', asOf - 32 * DAY_MS, asOf).isFresh).toBe(true)
    expect(datasetFreshness('monthly', asOf - 33 * DAY_MS, asOf).isFresh).toBe(false)
    expect(datasetFreshness('yearly', asOf - 300 * DAY_MS, asOf).isFresh).toBe(true)
    expect(datasetFreshness('static', asOf - 3000 * DAY_MS, asOf)).toEqual({ isFresh: true, ageDays: 3000 })
  })
  it('never loaded, or loaded only after the moment asked about: stale with no age', () => {
    expect(datasetFreshness('static', null, asOf)).toEqual({ isFresh: false, ageDays: null })
    expect(datasetFreshness('daily', asOf + 1, asOf)).toEqual({ isFresh: false, ageDays: null })
  })
})
