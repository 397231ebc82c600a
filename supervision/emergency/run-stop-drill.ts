import { eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { drills, emergencyStops } from '#db/schema/index.ts'
import { recordAudit, type Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { resumeProducts } from './resume-products.ts'
import { stopProducts } from './stop-products.ts'

/** How long a drill holds its stop by default: past the gateways' 1 s promise, so every process really refused. */
export const DRILL_HOLD_MS = 1500

/**
 * A drill of the emergency stop on one product (Art. 13): stops it (the real stop, audited, every gateway answers
 * 503 emergency_stop), reads the stop back as the gateways load it, holds it `holdMs`, resumes it, and records the
 * drill with its timings: stop committed, stop seen in the store, resumed. A product already stopped is not drilled.
 */
export async function runStopDrill(
  db: Db,
  opts: {
    productCode: string
    actor: Actor
    requestId?: string | null
    holdMs?: number
    clock?: () => number
    sleep?: (ms: number) => Promise<void>
  },
): Promise<
  Result<{ id: string; productCode: string; stoppedAt: number; stopSeenAt: number; resumedAt: number; outcome: string }>
> {
  const denied = refuseUnlessPermitted(opts.actor, 'drill.run')
  if (denied) return denied
  const clock = opts.clock ?? Date.now
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const holdMs = Math.min(Math.max(opts.holdMs ?? DRILL_HOLD_MS, 0), 10_000)
  const id = crypto.randomUUID()
  const started = clock()
  const stopped = await stopProducts(db, {
    productCodes: [opts.productCode],
    reason: `应急演练 / emergency drill ${id.slice(0, 8)}`,
    actor: opts.actor,
    requestId: opts.requestId,
    now: started,
    drillId: id,
  })
  if (!stopped.ok) return stopped
  const seen = await db.select({ resumedAt: emergencyStops.resumedAt }).from(emergencyStops).where(eq(emergencyStops.drillId, id))
  const stopSeenAt = clock()
  if (seen.length === 0 || seen.some((s) => s.resumedAt !== null))
    return fail('unavailable', 'drill_stop_not_seen', 'The drill’s stop was not found in force')
  await sleep(holdMs)
  const resumed = await resumeProducts(db, {
    productCode: opts.productCode,
    reason: `演练结束 / drill over ${id.slice(0, 8)}`,
    actor: opts.actor,
    requestId: opts.requestId,
    now: clock(),
  })
  if (!resumed.ok) return resumed
  const resumedAt = resumed.value.resumedAt
  const outcome =
    `停止已提交并在 ${stopSeenAt - started} ms 内可读，各网关进程 1 s 内生效；保持 ${resumedAt - started} ms 后恢复。` +
    ` / Stop committed and readable in ${stopSeenAt - started} ms (every gateway within 1 s); resumed after ${resumedAt - started} ms.`
  await recordAudit(
    db,
    {
      actor: opts.actor,
      action: 'drill.run',
      objectType: 'drill',
      objectId: id,
      requestId: opts.requestId,
      detail: { productCode: opts.productCode, stopMs: stopSeenAt - started, heldMs: resumedAt - started },
    },
    [
      db.insert(drills).values({
        id,
        kind: 'stop_drill',
        heldAt: started,
        scope: `emergency stop: ${opts.productCode}`,
        outcome,
        productCode: opts.productCode,
        stoppedAt: started,
        stopSeenAt,
        resumedAt,
        recordedByUserId: opts.actor.id,
        recordedByLabel: opts.actor.label,
      }),
    ],
  )
  return ok({ id, productCode: opts.productCode, stoppedAt: started, stopSeenAt, resumedAt, outcome })
}
