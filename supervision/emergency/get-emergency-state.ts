import { desc, isNull } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { emergencyStops } from '#db/schema/index.ts'

export interface EmergencyStopRow {
  id: string
  actionId: string
  /** null: every metered product. */
  productCode: string | null
  reason: string
  stoppedAt: number
  stoppedByLabel: string
  stoppedByRole: string
  drillId: string | null
  resumedAt: number | null
  resumedByLabel: string | null
  resumeReason: string | null
}

/**
 * The stops in force (the banner on the operator's and the bureau's pages, the CLI's status) and the latest ones,
 * resumed or not (the emergency page's history).
 */
export async function getEmergencyState(
  db: Db,
  opts: { historyLimit?: number } = {},
): Promise<{ active: EmergencyStopRow[]; isPlatformWide: boolean; history: EmergencyStopRow[] }> {
  const columns = {
    id: emergencyStops.id,
    actionId: emergencyStops.actionId,
    productCode: emergencyStops.productCode,
    reason: emergencyStops.reason,
    stoppedAt: emergencyStops.stoppedAt,
    stoppedByLabel: emergencyStops.stoppedByLabel,
    stoppedByRole: emergencyStops.stoppedByRole,
    drillId: emergencyStops.drillId,
    resumedAt: emergencyStops.resumedAt,
    resumedByLabel: emergencyStops.resumedByLabel,
    resumeReason: emergencyStops.resumeReason,
  }
  const active = await db
    .select(columns)
    .from(emergencyStops)
    .where(isNull(emergencyStops.resumedAt))
    .orderBy(desc(emergencyStops.stoppedAt))
  const history = await db
    .select(columns)
    .from(emergencyStops)
    .orderBy(desc(emergencyStops.stoppedAt))
    .limit(Math.min(Math.max(opts.historyLimit ?? 50, 1), 500))
  return { active, isPlatformWide: active.some((s) => s.productCode === null), history }
}
