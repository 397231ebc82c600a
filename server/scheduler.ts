/** A periodic in-process job (authorization expiry, interface pulls, outbox drains). */
export interface Job {
  name: string
  everyMs: number
  /** Run once right at start (e.g. expire what ended while the server was down). */
  runAtStart?: boolean
  run(now: number): Promise<unknown>
}

export interface Scheduler {
  /** Stops scheduling and waits for runs in progress. */
  stop(): Promise<void>
  /** Runs a job now (tests, CLI); waits for a run already in progress first. */
  runNow(name: string): Promise<void>
}

/**
 * Runs each job every `everyMs`, never two runs of one job at once; a failing run is reported and retried at the
 * next tick. Several server processes may each run the jobs: every job is written to be idempotent.
 */
export function startScheduler(
  jobs: Job[],
  opts: { onError: (job: string, error: unknown) => void; now?: () => number },
): Scheduler {
  const now = opts.now ?? Date.now
  const running = new Map<string, Promise<void>>()
  const timers: NodeJS.Timeout[] = []
  let stopped = false

  const runJob = (job: Job): Promise<void> => {
    const inProgress = running.get(job.name)
    if (inProgress) return inProgress
    const run = job
      .run(now())
      .then(
        () => undefined,
        (error) => opts.onError(job.name, error),
      )
      .finally(() => running.delete(job.name))
    running.set(job.name, run)
    return run
  }

  for (const job of jobs) {
    if (job.runAtStart) void runJob(job)
    const timer = setInterval(() => {
      if (!stopped) void runJob(job)
    }, job.everyMs)
    timer.unref()
    timers.push(timer)
  }

  return {
    async stop() {
      stopped = true
      for (const t of timers) clearInterval(t)
      await Promise.all(running.values())
    },
    async runNow(name) {
      const job = jobs.find((j) => j.name === name)
      if (!job) throw new Error(`no job named ${name}`)
      await running.get(name)
      await runJob(job)
    },
  }
}
