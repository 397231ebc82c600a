import { count, eq } from 'drizzle-orm'
import type { Db } from '#db/client.ts'
import { datasets, demandItems, demandLists, products, sourceUnits, users } from '#db/schema/index.ts'
import { systemActor, type Actor } from '#platform/audit/record-audit.ts'
import { registerDataset } from '#catalog/datasets/register-dataset.ts'
import { createDemandList } from '#catalog/demands/create-demand-list.ts'
import { addDemandItem } from '#catalog/demands/add-demand-item.ts'
import { submitDemandList } from '#catalog/demands/submit-demand-list.ts'
import { reviewDemandItem } from '#catalog/demands/review-demand-item.ts'
import { refuseDemandItem } from '#catalog/demands/refuse-demand-item.ts'
import { createProduct, type ProductInput } from '#catalog/products/create-product.ts'
import { submitProduct } from '#catalog/products/submit-product.ts'

/** A registered dataset nobody has authorized yet: the demo's demand for it awaits the market-regulation unit. */
export const DEMO_UNAUTHORIZED_DATASET = 'DS-SCJG-0002'

const DEMO_PRODUCTS: (ProductInput & { submit: boolean })[] = [
  {
    code: 'district-health-report',
    nameZh: '区县医疗健康运行报告',
    nameEn: 'District healthcare activity report',
    descriptionZh: '按区县、按月汇总门急诊、住院与医保结算情况，仅输出聚合统计（每组不少于 10 个单位）。',
    descriptionEn:
      'Monthly outpatient, inpatient and medical-insurance figures per district; aggregates only (groups of at least 10).',
    form: 'report',
    domain: 'health',
    datasetCodes: ['DS-WJ-0001', 'DS-YB-0001'],
    submit: true,
  },
  {
    code: 'road-congestion-index',
    nameZh: '道路拥堵指数工具',
    nameEn: 'Road congestion index tool',
    descriptionZh: '基于小时交通流量计算路段拥堵指数。',
    descriptionEn: 'A congestion index per road segment from hourly traffic flows.',
    form: 'tool',
    domain: 'transport',
    datasetCodes: ['DS-JT-0001'],
    submit: false,
  },
]

async function actorFor(db: Db, username: string): Promise<Actor> {
  const [user] = await db
    .select({ id: users.id, role: users.role, partnerId: users.partnerId, sourceUnitId: users.sourceUnitId })
    .from(users)
    .where(eq(users.username, username))
  return user
    ? { id: user.id, label: username, role: user.role, partnerId: user.partnerId, sourceUnitId: user.sourceUnitId }
    : systemActor('seed')
}

function must<T>(result: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }, what: string): T {
  if (!result.ok) throw new Error(`seed catalog demo: ${what}: ${result.error.code} ${result.error.message}`)
  return result.value
}

/**
 * Demo catalog workflow data, so every role's queue has something in it on a
 * fresh start: a submitted demand list with one item in each state after
 * submission (pending review → bureau; approved → market regulation; returned →
 * operator; refused with its legal basis), a draft list, a product under review
 * (bureau) and a draft product. Called at the end of seedPlatform; idempotent.
 */
export async function seedCatalogDemo(db: Db): Promise<void> {
  const operator = await actorFor(db, 'operator')
  const bureau = await actorFor(db, 'bureau')
  const units = new Map(
    (await db.select({ id: sourceUnits.id, code: sourceUnits.code }).from(sourceUnits)).map((u) => [u.code, u.id]),
  )

  const [existing] = await db.select({ id: datasets.id }).from(datasets).where(eq(datasets.code, DEMO_UNAUTHORIZED_DATASET))
  if (!existing && units.has('market-regulation')) {
    must(
      await registerDataset(db, {
        actor: operator,
        input: {
          sourceUnitId: units.get('market-regulation')!,
          code: DEMO_UNAUTHORIZED_DATASET,
          nameZh: '企业年度报告',
          nameEn: 'Enterprise annual reports',
          description: '企业年度报告公示信息：从业人数、营业收入、联系电话。',
          domain: 'market',
          level: 'L2',
          deliveryMode: 'file',
          updateFrequency: 'yearly',
          fields: [
            { name: 'uscc', labelZh: '统一社会信用代码', type: 'string', required: true, piTag: 'uscc' },
            { name: 'year', labelZh: '报告年度', type: 'integer', required: true },
            { name: 'employees', labelZh: '从业人数', type: 'integer' },
            { name: 'revenue_wan', labelZh: '营业收入（万元）', type: 'number' },
            { name: 'contact_phone', labelZh: '联系电话', type: 'string', piTag: 'phone' },
          ],
        },
      }),
      'register dataset',
    )
  }

  const [{ n: lists } = { n: 0 }] = await db.select({ n: count() }).from(demandLists)
  if (lists === 0) {
    const first = must(await createDemandList(db, { actor: operator, title: '2026 年第一批公共数据授权运营需求' }), 'create list')
    const item = async (input: Parameters<typeof addDemandItem>[1]['input']) =>
      must(await addDemandItem(db, { actor: operator, listCode: first.code, input }), `add item ${input.datasetCode}`).id
    const approved = await item({
      datasetCode: DEMO_UNAUTHORIZED_DATASET,
      dataDescription: '企业年度报告中的从业人数与营业收入',
      retrievalMethod: 'file',
      usageScenario: '为金融机构提供小微企业经营状况核验（仅输出核验结论）',
      requestedTermMonths: 24,
    })
    await item({
      datasetCode: 'DS-YB-0001',
      dataDescription: '分区县、分月的医保结算统计',
      retrievalMethod: 'table',
      usageScenario: '区县医疗健康运行报告（聚合统计，每组不少于 10 个单位）',
      requestedTermMonths: 36,
    })
    const returned = await item({
      datasetCode: 'DS-RS-0001',
      dataDescription: '个人社会保险缴费记录',
      retrievalMethod: 'table',
      usageScenario: '个人连续缴费核验',
      requestedTermMonths: 12,
    })
    const refused = await item({
      datasetCode: 'DS-SW-0001',
      dataDescription: '企业纳税明细',
      retrievalMethod: 'interface',
      usageScenario: '企业税务画像',
      requestedTermMonths: 12,
    })
    must(await submitDemandList(db, { actor: operator, listCode: first.code }), 'submit list')
    must(
      await reviewDemandItem(db, { actor: bureau, itemId: approved, decision: 'approve', comment: '同意，注意最小必要' }),
      'approve',
    )
    must(await reviewDemandItem(db, { actor: bureau, itemId: refused, decision: 'approve' }), 'approve')
    must(
      await reviewDemandItem(db, {
        actor: bureau,
        itemId: returned,
        decision: 'return',
        comment: '请补充个人信息保护措施与最小必要性说明',
      }),
      'return',
    )
    const [refusedItem] = await db
      .select({ sourceUnitId: demandItems.sourceUnitId })
      .from(demandItems)
      .where(eq(demandItems.id, refused))
    must(
      await refuseDemandItem(db, {
        // The tax bureau has no demo account: its refusal is made as the unit itself.
        actor: { id: null, label: 'tax-unit', role: 'source_unit', sourceUnitId: refusedItem!.sourceUnitId },
        itemId: refused,
        citation: '《中华人民共和国税收征收管理法》第八条',
        explanation: '纳税明细属于纳税人依法要求保密的情况，不得向第三方提供；可改为申请纳税信用等级。',
      }),
      'refuse',
    )

    const second = must(await createDemandList(db, { actor: operator, title: '2026 年第二批（草稿）' }), 'create draft list')
    must(
      await addDemandItem(db, {
        actor: operator,
        listCode: second.code,
        input: {
          sourceUnitCode: 'transport',
          dataDescription: '公交车辆实时到站数据',
          retrievalMethod: 'interface',
          usageScenario: '公交到站预测服务',
          requestedTermMonths: 12,
        },
      }),
      'add draft item',
    )
  }

  for (const { submit, ...input } of DEMO_PRODUCTS) {
    const [found] = await db.select({ id: products.id }).from(products).where(eq(products.code, input.code))
    if (found) continue
    must(await createProduct(db, { actor: operator, input }), `create product ${input.code}`)
    if (submit) must(await submitProduct(db, { actor: operator, code: input.code }), `submit product ${input.code}`)
  }
}
