import { count, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { operationReports, users } from '#db/schema/index.ts'
import { userActor } from '#platform/identity/permissions.ts'
import { previousQuarter } from '#reporting/periods/report-period.ts'
import { generateOperationReport } from '#reporting/reports/generate-operation-report.ts'
import { saveReportNarrative } from '#reporting/reports/save-report-narrative.ts'
import { submitOperationReport } from '#reporting/reports/submit-operation-report.ts'

/**
 * The demo's operation report (ADR 0035): last quarter's, generated from the seeded records, with its narrative, and
 * submitted to the bureau through the same operations as the operator's page. Skipped when any report exists already.
 */
export async function seedReportsDemo(db: Db, now = Date.now()): Promise<void> {
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(operationReports)
  if (n > 0) return
  const [operator] = await db.select().from(users).where(eq(users.username, 'operator'))
  if (!operator) return
  const actor = userActor(operator)
  const period = previousQuarter(now).period
  const must = (r: { ok: boolean; error?: { code: string } }, what: string) => {
    if (!r.ok) throw new Error(`seed reports: ${what}: ${r.error?.code}`)
  }
  must(await generateOperationReport(db, { actor, period, now }), 'generate')
  must(
    await saveReportNarrative(db, {
      actor,
      period,
      now,
      narrative: {
        summary:
          '本季度平台运行平稳，授权数据按期更新，数据产品调用和公益服务稳步增长，未发生数据安全事件。\nThe platform ran steadily this quarter; authorized data stayed fresh, calls and public-interest service grew, and no data-security incident occurred.',
        storage: '各数源单位按约定频率推送数据；个别加载失败已当日重试成功。',
        market: '公益用途调用继续免费提供，减免金额见市场运营部分。',
      },
    }),
    'narrative',
  )
  must(await submitOperationReport(db, { actor, period, now }), 'submit')
}
