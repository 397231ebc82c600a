/**
 * The IPC messages between bench/gateway.ts (parent) and its forked targets
 * (bench/gateway-target.ts, bench/bare-target.ts).
 */
export type ParentMessage = { type: 'stop' }

export type TargetMessage =
  | { type: 'ready'; port: number }
  | { type: 'stopped'; committedEvents: number | null; internalErrors: number }
  | { type: 'error'; message: string }

/** Sends a message to the parent if there is one (targets can also run standalone). */
export function tell(message: TargetMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve()
    process.send(message, undefined, {}, () => resolve())
  })
}

/**
 * Runs `stop` once, on the parent's `{type:'stop'}` message, SIGTERM or SIGINT,
 * then exits 0 (1 if `stop` threw).
 */
export function onShutdown(stop: () => Promise<void>): void {
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
  })
  process.on('SIGTERM', shutdown)
  process.on('SIGINT', shutdown)
  // The parent died without asking: shut down the same way.
  process.on('disconnect', shutdown)
}
