import { and, count, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { agreementAcceptances, agreementVersions, partners, users } from '#db/schema/index.ts'
import { fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { userActor } from '#platform/identity/permissions.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { draftAgreementVersion } from '#partner-access/agreements/draft-agreement-version.ts'
import { decideAgreementVersion } from '#partner-access/agreements/decide-agreement-version.ts'
import { acceptAgreement } from '#partner-access/agreements/accept-agreement.ts'
import { hashAgreementText, renderAgreementText } from '#partner-access/agreements/render-agreement-text.ts'

/** Early enough that any controlled clock of a test or a scenario finds the demo's versions current. */
export const DEMO_AGREEMENTS_EFFECTIVE_AT = fromLocal(2024, 1, 1)

const DEMO_VERSIONS = [
  {
    kind: 'cooperation',
    titleZh: '沈阳市公共数据授权运营合作协议',
    titleEn: 'Shenyang public data authorized operation cooperation agreement',
    bodyZh: `第一条 依据《沈阳市公共数据授权运营管理办法》，运营单位向合作方提供经审核的公共数据产品和服务，合作方在订阅的应用场景内使用。
第二条 合作方按收费公示及经市数据局批准的价格支付费用；公益用途经审核后免费。
第三条 合作方遵守数据安全义务，接受市数据局及运营单位的监督检查；违反约定的，运营单位可暂停或终止服务。
第四条 本协议自合作方接受之日起生效，至合作方退出平台之日终止。`,
    bodyEn: `1. Under the Shenyang Measures, the operator provides reviewed public-data products and services; the partner uses them within its subscribed application scenarios.
2. The partner pays the fees disclosed on /fees at the prices approved by the data bureau; public-interest use is free once approved.
3. The partner keeps the data-security duties and accepts supervision by the bureau and the operator; on breach, service may be suspended or ended.
4. This agreement takes effect on acceptance and ends when the partner exits the platform.`,
  },
  {
    kind: 'platform_service',
    titleZh: '沈阳市公共数据授权运营平台服务协议',
    titleEn: 'Shenyang public data platform service agreement',
    bodyZh: `第一条 平台通过接口密钥提供计量调用服务，每次调用均记录日志并按价格计费。
第二条 合作方妥善保管接口密钥，对其名下全部调用负责；发现泄露应立即吊销。
第三条 平台按约定的频率和配额提供服务；紧急情况下可暂停部分或全部产品。`,
    bodyEn: `1. The platform provides metered calls through API keys; every call is logged and billed at the prices in force.
2. The partner keeps its keys safe and answers for every call made with them; a leaked key is revoked at once.
3. The platform serves within the agreed rates and quotas; in an emergency some or all products may be halted.`,
  },
] as const

/**
 * The demo's agreements (ADR 0031): version 1 of both kinds, drafted by the operator and approved by the bureau through
 * the same operations as the UI, and accepted for every partner of the install (by its administrator when it has one),
 * so the demo's keys keep answering. Skipped when versions exist already.
 */
export async function seedAgreementsDemo(db: Db, now = Date.now()): Promise<void> {
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(agreementVersions)
  if (n > 0) return
  const byName = async (username: string) => {
    const [user] = await db.select().from(users).where(eq(users.username, username))
    return user ? userActor(user) : null
  }
  const [operator, bureau] = [await byName('operator'), await byName('bureau')]
  if (!operator || !bureau) return
  const must = <T>(r: { ok: true; value: T } | { ok: false; error: { code: string } }): T => {
    if (!r.ok) throw new Error(`seed agreements: ${r.error.code}`)
    return r.value
  }
  for (const v of DEMO_VERSIONS) {
    const drafted = must(
      await draftAgreementVersion(db, {
        ...v,
        effectiveAt: DEMO_AGREEMENTS_EFFECTIVE_AT,
        actor: operator,
        now: DEMO_AGREEMENTS_EFFECTIVE_AT,
      }),
    )
    must(
      await decideAgreementVersion(db, {
        versionId: drafted.id,
        decision: 'approve',
        actor: bureau,
        now: DEMO_AGREEMENTS_EFFECTIVE_AT,
      }),
    )
  }
  for (const p of await db.select({ id: partners.id, code: partners.code }).from(partners)) {
    await acceptDemoAgreements(db, p.id, now)
  }
}

/**
 * Accepts every current version for a partner, as its administrator (or a stand-in when it has none): the demo's
 * partners, and the partners test harnesses and benchmarks create.
 */
export async function acceptDemoAgreements(db: Db, partnerId: string, now = Date.now()): Promise<void> {
  const [admin] = await db
    .select()
    .from(users)
    .where(and(eq(users.partnerId, partnerId), eq(users.role, 'partner_admin')))
    .limit(1)
  const actor: Actor = admin ? userActor(admin) : { id: null, label: 'seed', role: 'partner_admin', partnerId }
  const versions = await db.select().from(agreementVersions).where(eq(agreementVersions.state, 'approved'))
  const accepted = new Set(
    (
      await db
        .select({ v: agreementAcceptances.versionId })
        .from(agreementAcceptances)
        .where(eq(agreementAcceptances.partnerId, partnerId))
    ).map((r) => r.v),
  )
  for (const v of versions) {
    if (accepted.has(v.id) || v.effectiveAt > now) continue
    const text = await renderAgreementText(db, v, now)
    const r = await acceptAgreement(db, {
      versionId: v.id,
      shownTextHash: hashAgreementText(text),
      clientAddress: '127.0.0.1',
      actor,
      now,
    })
    // A version superseded by a later one cannot be accepted any more: only the current ones matter.
    if (!r.ok && r.error.code !== 'not_current_version') throw new Error(`seed agreements: ${r.error.code}`)
  }
}
