import { describe, expect, it } from 'vitest'
import { newEventId, newRequestId, timeOfEventId } from './time-ordered-ids.ts'

describe('time-ordered ids', () => {
  it('event ids are ULIDs: 26 Crockford base32 characters, the millisecond first', () => {
    const at = Date.UTC(2026, 10, 30, 12, 0, 0, 123)
    const id = newEventId(at)
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/)
    expect(timeOfEventId(id)).toBe(at)
    // The spec's own example time prefix: 1469918176385 → 01ARYZ6S41.
    expect(newEventId(1469918176385).slice(0, 10)).toBe('01ARYZ6S41')
  })

  it('sort by time: a later millisecond always sorts after, whatever the random part', () => {
    const base = Date.UTC(2026, 0, 1)
    const ids = Array.from({ length: 2000 }, (_, i) => newEventId(base + i))
    expect([...ids].sort()).toEqual(ids)
    const requestIds = Array.from({ length: 2000 }, (_, i) => newRequestId(base + i))
    expect([...requestIds].sort()).toEqual(requestIds)
  })

  it('are unique within one millisecond (80 random bits), across many pool refills', () => {
    const at = Date.now()
    const ids = new Set(Array.from({ length: 20_000 }, () => newEventId(at)))
    expect(ids.size).toBe(20_000)
    const requestIds = new Set(Array.from({ length: 20_000 }, () => newRequestId(at)))
    expect(requestIds.size).toBe(20_000)
  })

  it('request ids keep their form: req_ and 32 lowercase hex digits, the millisecond in the first 12', () => {
    const at = Date.UTC(2026, 10, 30)
    const id = newRequestId(at)
    expect(id).toMatch(/^req_[0-9a-f]{32}$/)
    expect(parseInt(id.slice(4, 16), 16)).toBe(at)
  })

  it('the random part differs from id to id (not a counter)', () => {
    const at = Date.now()
    const tails = Array.from({ length: 100 }, () => newEventId(at).slice(10))
    expect(new Set(tails).size).toBe(100)
    expect(new Set(tails.map((t) => t[0])).size).toBeGreaterThan(5)
  })
})
