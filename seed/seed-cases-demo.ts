import { and, count, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { authorizations, datasets, rectificationCases, users } from '#db/schema/index.ts'
import { userActor } from '#platform/identity/permissions.ts'
import { DAY_MS, formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { reportProblem } from '#supervision/cases/report-problem.ts'
import { openCase } from '#supervision/cases/open-case.ts'
import { closeCase } from '#supervision/cases/close-case.ts'

/**
 * Two rectification cases for the demo (ADR 0028), through the same operations as the UI: a closed one against the
 * demo partner (reported by market regulation, verified) and an open one against the transport dataset's
 * authorization, its deadline two weeks ahead. Nothing is suspended: the demo's products keep answering. Skipped when
 * cases exist already.
 */
export async function seedCasesDemo(db: Db, now = Date.now()): Promise<void> {
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(rectificationCases)
  if (n > 0) return
  const byName = async (username: string) => {
    const [user] = await db.select().from(users).where(eq(users.username, username))
    return user ? userActor(user) : null
  }
  const [bureau, unit] = [await byName('bureau'), await byName('scjg')]
  if (!bureau || !unit) return
  const must = <T>(r: { ok: true; value: T } | { ok: false; error: { code: string } }): T => {
    if (!r.ok) throw new Error(`seed cases: ${r.error.code}`)
    return r.value
  }

  const closed = must(
    await reportProblem(db, {
      actor: unit,
      report: '合作方盛京智能在核验接口中批量提交与其业务无关的企业信息，疑似超出约定用途。',
      now: now - 20 * DAY_MS,
    }),
  )
  must(
    await openCase(db, {
      actor: bureau,
      code: closed.code,
      targetKind: 'partner',
      targetCode: 'shengjing-tech',
      finding: '核验调用中存在与申报场景无关的批量查询。',
      ruleBreached: '《沈阳市公共数据授权运营管理办法》第十三条、第二十七条',
      deadlineOn: formatDay(now - 6 * DAY_MS),
      now: now - 19 * DAY_MS,
    }),
  )
  must(
    await closeCase(db, {
      actor: bureau,
      code: closed.code,
      resolution: '合作方已停用相关批量脚本并提交内部管控制度，经核实整改到位。',
      now: now - 10 * DAY_MS,
    }),
  )

  const [transport] = await db
    .select({ code: authorizations.code })
    .from(authorizations)
    .innerJoin(datasets, eq(datasets.id, authorizations.datasetId))
    .where(and(eq(datasets.code, 'DS-JT-0001'), eq(authorizations.state, 'active')))
  const open = must(
    await reportProblem(db, {
      actor: bureau,
      regulatorName: '市公安局网络安全保卫支队',
      report: '检查发现交通流量数据的接口调取日志缺少调用方标识，无法追溯。',
      now: now - 3 * DAY_MS,
    }),
  )
  must(
    await openCase(db, {
      actor: bureau,
      code: open.code,
      targetKind: transport ? 'authorization' : 'operator',
      targetCode: transport?.code ?? null,
      finding: '交通流量数据的调取日志不完整，不满足全过程可追溯要求。',
      ruleBreached: '《沈阳市公共数据授权运营管理办法》第八条、第二十四条',
      deadlineOn: formatDay(now + 14 * DAY_MS),
      now: now - 2 * DAY_MS,
    }),
  )
}
