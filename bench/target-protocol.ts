/**
 * The IPC messages between bench/gateway.ts (parent) and its forked targets
 * (bench/gateway-target.ts, bench/bare-target.ts).
 */
export type ParentMessage = { type: 'stop' } | { type: 'cpu' }

export type TargetMessage =
  | { type: 'ready'; port: number }
  /** CPU time this process used so far (user + system) and its clock, both in ms. */
  | { type: 'cpu'; cpuMs: number; atMs: number }
  | { type: 'stopped'; committedEvents: number | null; internalErrors: number; commits?: number }
  | { type: 'error'; message: string }

/** Sends a message to the parent if there is one (targets can also run standalone). */
export function tell(message: TargetMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve()
    process.send(message, undefined, {}, () => resolve())
  })
}

/**
 * Answers the parent's `{type:'cpu'}` questions, and runs `stop` once, on the
 * parent's `{type:'stop'}` message, SIGTERM or SIGINT, then exits 0 (1 if `stop` threw).
 */
export function listenToParent(stop: () => Promise<void>): void {
  let stopping = false
  const shutdown = () => {
    if (stopping) return
    stopping = true
    stop().then(
      () => process.exit(0),
      async (error: unknown) => {
        await tell({ type: 'error', message: (error as Error)?.stack ?? String(error) })
        process.exit(1)
      },
    )
  }
  process.on('message', (message: ParentMessage) => {
    if (message?.type === 'stop') shutdown()
    if (message?.type === 'cpu') {
      const { user, system } = process.cpuUsage()
      void tell({ type: 'cpu', cpuMs: (user + system) / 1000, atMs: performance.now() })
    }
  })
  process.on('SIGTERM', shutdown)
  process.on('SIGINT', shutdown)
  // The parent died without asking: shut down the same way.
  process.on('disconnect', shutdown)
}
