import { describe, expect, it } from 'vitest'
import { MAX_BACKOFF_MS, restartDelayMs, workerSlot, workersFromEnv } from './supervisor.ts'

describe('restartDelayMs', () => {
  it('restarts at once after a first death, then backs off 1 s, 2 s, 4 s … while workers keep dying young, up to 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(restartDelayMs)).toEqual([0, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000])
    expect(restartDelayMs(50)).toBe(MAX_BACKOFF_MS)
    expect(restartDelayMs(0)).toBe(0)
  })
})

describe('WORKERS and the worker slot', () => {
  it('reads WORKERS as a whole number from 1 to 64 (default 1) and refuses anything else by name', () => {
    expect(workersFromEnv({})).toBe(1)
    expect(workersFromEnv({ WORKERS: '4' })).toBe(4)
    for (const bad of ['0', '-1', '1.5', 'two', '65', ''])
      expect(() => workersFromEnv({ WORKERS: bad }), bad).toThrow(/WORKERS must be a whole number from 1 to 64/)
  })

  it('knows its slot from the environment the supervisor forks it with (0 outside a cluster)', () => {
    expect(workerSlot({})).toBe(0)
    expect(workerSlot({ PLATFORM_WORKER_SLOT: '3' })).toBe(3)
    expect(workerSlot({ PLATFORM_WORKER_SLOT: 'x' })).toBe(0)
  })
})
