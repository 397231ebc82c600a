import { DAY_MS } from '#platform/calendar/shanghai-calendar.ts'

// Freshness against a dataset's declared update frequency (Art. 16): a dataset is fresh when its last successful load
// is no older than its frequency allows, with a day's grace for the load's own run (a daily dataset may be two days
// old, a monthly one 32). A static dataset is fresh once loaded at all; a dataset never loaded is stale.

export type UpdateFrequency = 'realtime' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'yearly' | 'static'

export const FRESHNESS_ALLOWANCE_DAYS: Readonly<Record<UpdateFrequency, number>> = {
  realtime: 1,
  hourly: 1,
  daily: 2,
  weekly: 8,
  monthly: 32,
  quarterly: 93,
  yearly: 366,
  static: Number.POSITIVE_INFINITY,
}

export interface Freshness {
  isFresh: boolean
  /** Whole days since the last successful load; null when never loaded. */
  ageDays: number | null
}

/** Whether a dataset of `frequency` last loaded at `lastLoadAt` (null: never) is fresh at `asOf`. */
export function datasetFreshness(frequency: UpdateFrequency, lastLoadAt: number | null, asOf: number): Freshness {
  if (lastLoadAt === null || lastLoadAt > asOf) return { isFresh: false, ageDays: null }
  const age = asOf - lastLoadAt
  return { isFresh: age <= FRESHNESS_ALLOWANCE_DAYS[frequency] * DAY_MS, ageDays: Math.floor(age / DAY_MS) }
}
