import { count, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { creditRecords, incidents, rectificationCases, users } from '#db/schema/index.ts'
import { userActor } from '#platform/identity/permissions.ts'
import { DAY_MS, formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { recordCreditRecord } from '#supervision/credit/record-credit-record.ts'
import { openIncident } from '#supervision/incidents/open-incident.ts'
import { addIncidentEntry } from '#supervision/incidents/add-incident-entry.ts'
import { closeIncident } from '#supervision/incidents/close-incident.ts'
import { saveEmergencyPlan } from '#supervision/emergency/save-emergency-plan.ts'
import { recordDrill } from '#supervision/emergency/record-drill.ts'

const PLAN_BODY = `一、总则：为及时、有序处置公共数据授权运营平台网络安全与数据安全事件，依据《沈阳市公共数据授权运营管理办法》第十三条制定本预案。
二、组织机构：运营单位设应急处置小组，组长由分管负责人担任；市数据局负责指导监督。
三、事件分级：低、中、高、紧急四级，按影响的产品、数据集、合作方与平台范围确定。
四、处置流程：发现与报告（30 分钟内登记事件）→ 研判 → 必要时紧急停止全部或部分计量产品 → 处置与取证 → 恢复服务 → 结案总结。
五、紧急停止：运营单位或市数据局在平台“应急处置”页面或命令行执行，各网关进程 1 秒内生效；恢复同样一步完成。
六、演练：每半年至少组织一次演练，其中至少一次演练紧急停止。`

/**
 * The demo's credit record, incidents, emergency plan v1 and a drill (ADR 0029), through the same operations as the
 * UI, so every page shows something on first start. No stop is left in force: the demo's products keep answering.
 * Skipped when incidents exist already.
 */
export async function seedEmergencyDemo(db: Db, now = Date.now()): Promise<void> {
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(incidents)
  if (n > 0) return
  const byName = async (username: string) => {
    const [user] = await db.select().from(users).where(eq(users.username, username))
    return user ? userActor(user) : null
  }
  const [bureau, operator] = [await byName('bureau'), await byName('operator')]
  if (!bureau || !operator) return
  const must = <T>(r: { ok: true; value: T } | { ok: false; error: { code: string } }): T => {
    if (!r.ok) throw new Error(`seed emergency: ${r.error.code}`)
    return r.value
  }

  // A credit record from the demo's closed rectification case when there is one, else from a regulator's finding.
  const [{ records } = { records: 0 }] = await db.select({ records: count() }).from(creditRecords)
  if (records === 0) {
    const [closedCase] = await db
      .select({ code: rectificationCases.code })
      .from(rectificationCases)
      .where(eq(rectificationCases.state, 'closed'))
      .limit(1)
    must(
      await recordCreditRecord(db, {
        input: {
          subject: 'partner',
          partnerCode: 'shengjing-tech',
          severity: 'major',
          source: closedCase ? 'case' : 'regulator_finding',
          caseRef: closedCase?.code ?? null,
          regulatorName: closedCase ? null : '沈阳市公安局网络安全保卫支队',
          occurredOn: formatDay(now - 20 * DAY_MS),
          expiresOn: formatDay(now + 345 * DAY_MS),
          description: '在企业核验接口中批量提交与约定用途无关的企业信息，经整改已纠正。',
        },
        actor: bureau,
        now: now - 5 * DAY_MS,
      }),
    )
  }

  const closed = must(
    await openIncident(db, {
      input: {
        title: '企业核验接口错误率异常升高',
        severity: 'high',
        affected: { products: ['verify-enterprise-identity'], datasets: ['DS-SCJG-0001'], partners: [], platform: false },
        description: '监控告警：企业核验接口 5 分钟内错误率升至 12%，部分调用超时。',
      },
      actor: operator,
      now: now - 12 * DAY_MS,
    }),
  )
  must(
    await addIncidentEntry(db, {
      incident: closed.code,
      kind: 'action',
      text: '切换至备用数据库实例，并通知市场监管局核查数据交换链路。',
      actor: operator,
      now: now - 12 * DAY_MS + 40 * 60_000,
    }),
  )
  must(
    await closeIncident(db, {
      incident: closed.code,
      summary:
        '原因：数据交换链路抖动导致主库连接耗尽。影响：约 40 分钟内部分核验超时，未发生数据泄露。改进：增加连接池上限与链路监控。',
      actor: operator,
      now: now - 11 * DAY_MS,
    }),
  )
  must(
    await openIncident(db, {
      input: {
        title: '可疑的批量地址查询',
        severity: 'medium',
        affected: { products: ['address-standardize'], datasets: [], partners: ['shengjing-tech'], platform: false },
        description: '同一密钥在夜间集中提交大量相似地址，正在核查是否超出约定用途。',
      },
      actor: bureau,
      now: now - DAY_MS,
    }),
  )

  must(
    await saveEmergencyPlan(db, {
      code: 'EP-GENERAL',
      title: '平台网络安全与数据安全事件应急预案',
      body: PLAN_BODY,
      actor: operator,
      now: now - 30 * DAY_MS,
    }),
  )
  must(
    await recordDrill(db, {
      input: {
        heldOn: formatDay(now - 25 * DAY_MS),
        scope: '桌面推演：合作方密钥泄露，紧急停止单个产品并吊销密钥',
        outcome: '流程完整；通讯录需更新两名联系人，已在预案 v1 中补记。',
        planCode: 'EP-GENERAL',
        planVersion: 1,
      },
      actor: operator,
      now,
    }),
  )
}
