import { isNull } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { emergencyStops } from '#db/schema/index.ts'

/** The emergency stops in force (Art. 13; ADR 0029): every metered product, or some by code. */
export interface EmergencyStopAccess {
  isPlatformWide: boolean
  productCodes: ReadonlySet<string>
}

export const NO_EMERGENCY_STOP: EmergencyStopAccess = { isPlatformWide: false, productCodes: new Set() }

/**
 * One small query for the whole process (the rows in force are few, usually none), cached by the pipeline for 500 ms
 * under one key: a stop or a resume made by any process is honoured by every gateway process within 1 s.
 */
export async function loadEmergencyStop(db: Db): Promise<EmergencyStopAccess> {
  const rows = await db
    .select({ productCode: emergencyStops.productCode })
    .from(emergencyStops)
    .where(isNull(emergencyStops.resumedAt))
  if (rows.length === 0) return NO_EMERGENCY_STOP
  return {
    isPlatformWide: rows.some((r) => r.productCode === null),
    productCodes: new Set(rows.flatMap((r) => (r.productCode === null ? [] : [r.productCode]))),
  }
}
