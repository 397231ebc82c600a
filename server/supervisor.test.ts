import { describe, expect, it } from 'vitest'
import { MAX_BACKOFF_MS, restartDelayMs } from './supervisor.ts'

describe('restartDelayMs', () => {
  it('restarts at once after a first death, then backs off 1 s, 2 s, 4 s … while workers keep dying young, up to 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(restartDelayMs)).toEqual([0, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000])
    expect(restartDelayMs(50)).toBe(MAX_BACKOFF_MS)
    expect(restartDelayMs(0)).toBe(0)
  })
})
