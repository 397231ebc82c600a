import { describe, expect, it, vi } from 'vitest'
import { startScheduler } from './scheduler.ts'

describe('startScheduler', () => {
  it('runs jobs periodically, never overlapping one job, and reports failures without stopping', async () => {
    let runs = 0
    let concurrent = 0
    let maxConcurrent = 0
    const errors: string[] = []
    const scheduler = startScheduler(
      [
        {
          name: 'slow',
          everyMs: 5,
          runAtStart: true,
          run: async () => {
            runs++
            concurrent++
            maxConcurrent = Math.max(maxConcurrent, concurrent)
            await new Promise((r) => setTimeout(r, 20))
            concurrent--
          },
        },
        {
          name: 'failing',
          everyMs: 5,
          run: async () => {
            throw new Error('boom')
          },
        },
      ],
      { onError: (job, error) => errors.push(`${job}: ${(error as Error).message}`) },
    )
    // Until both jobs have run twice, however slowly the timers fire on a loaded machine.
    await vi.waitFor(() => {
      expect(runs).toBeGreaterThanOrEqual(2)
      expect(errors.length).toBeGreaterThanOrEqual(2)
    }, 10_000)
    await scheduler.stop()
    expect(maxConcurrent).toBe(1)
    expect(errors[0]).toBe('failing: boom')
  })

  it('runs a job on demand', async () => {
    let runs = 0
    const scheduler = startScheduler([{ name: 'j', everyMs: 60_000, run: async () => void runs++ }], { onError: () => undefined })
    await scheduler.runNow('j')
    expect(runs).toBe(1)
    await expect(scheduler.runNow('nope')).rejects.toThrow('no job named nope')
    await scheduler.stop()
  })
})
