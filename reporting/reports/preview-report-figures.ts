import type { Db } from '#db/client.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { refuseUnlessPermitted } from '#platform/identity/permissions.ts'
import { fail, ok, type Result } from '#platform/result.ts'
import { computeReportFigures } from '../figures/compute-report-figures.ts'
import type { ReportFigures } from '../figures/figure-types.ts'
import { parseReportPeriod } from '../periods/report-period.ts'

/** The figures of a period as they stand now, stored nowhere (`reports:generate`). */
export async function previewReportFigures(
  db: Db,
  opts: { actor: Actor; period: string; now?: number },
): Promise<Result<ReportFigures>> {
  const denied = refuseUnlessPermitted(opts.actor, 'operation_report.view')
  if (denied) return denied
  const period = parseReportPeriod(String(opts.period ?? ''))
  if (!period)
    return fail('validation', 'invalid_period', 'The period must be a quarter (2026-Q3) or a year (2026)', {
      period: 'invalid_period',
    })
  return ok(await computeReportFigures(db, { period, now: opts.now }))
}
