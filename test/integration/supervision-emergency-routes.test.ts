import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { count, eq } from 'drizzle-orm'
import { auditLog, creditRecords, emergencyStops, incidents } from '#db/schema/index.ts'
import { formatDay } from '#platform/calendar/shanghai-calendar.ts'
import { recordCreditRecord } from '#supervision/credit/record-credit-record.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { postForm, signInUi, type UiSession } from '#test/support/ui-session.ts'

// The pages of ADR 0029 over HTTP without a browser: credit records (form, export, beside a pending public-interest
// request), the emergency page (stop with several products, banner, resume), incidents (open, timeline, close).
// Needs `npx remix build` first.

describe('credit, emergency and incident pages', () => {
  let platform: PlatformHarness
  let bureau: UiSession
  let operator: UiSession
  beforeAll(async () => {
    platform = await startPlatform()
    bureau = await signInUi(platform.url, 'bureau')
    operator = await signInUi(platform.url, 'operator')
  })
  afterAll(() => platform?.stop())

  const db = () => platform.database.db
  const get = (session: UiSession, path: string) =>
    fetch(new URL(path, platform.url), { headers: { cookie: session.cookie }, redirect: 'manual' })
  const audits = async () => (await db().select({ n: count() }).from(auditLog))[0]!.n

  it('the bureau records a credit record through the form; bad values answer field errors and change nothing', async () => {
    const before = { records: (await db().select().from(creditRecords)).length, audits: await audits() }
    const bad = await postForm(platform.url, bureau, '/bureau/credit', {
      intent: 'record',
      subject: 'partner',
      partnerCode: 'no-such-partner',
      severity: 'fatal',
      source: 'regulator_finding',
      regulatorName: '',
      occurredOn: '2026-02-31',
      expiresOn: '',
      description: '',
    })
    expect(bad.status).toBe(400)
    const page = await bad.text()
    // The field errors in the user's language beside their inputs (the form kit, area `emergency`).
    expect(page).toContain('不存在')
    expect(page).toContain('格式不正确')
    expect({ records: (await db().select().from(creditRecords)).length, audits: await audits() }).toEqual(before)

    const ok = await postForm(platform.url, bureau, '/bureau/credit', {
      intent: 'record',
      subject: 'partner',
      partnerCode: 'zhang-wei',
      severity: 'minor',
      source: 'regulator_finding',
      regulatorName: '市网信办',
      occurredOn: formatDay(Date.now()),
      expiresOn: formatDay(Date.now() + 200 * 86_400_000),
      description: '未按期报送数据使用情况',
    })
    expect(ok.status).toBe(302)
    const code = new URL(ok.headers.get('location')!, platform.url).searchParams.get('recorded')!
    expect(await (await get(bureau, '/bureau/credit')).text()).toContain(code)
    expect(await (await get(operator, '/operator/credit')).text()).toContain(code)
  })

  it('exports CSV and JSON as downloads for the bureau only; another format is a 400', async () => {
    const csv = await get(bureau, '/bureau/credit/export?format=csv')
    expect(csv.headers.get('content-type')).toContain('text/csv')
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="credit-records-\d{4}-\d{2}-\d{2}\.csv"$/)
    expect((await csv.text()).split('\r\n')[0]).toContain('record_no,subject_type')
    const json = await get(bureau, '/bureau/credit/export?format=json&active=1')
    expect((await json.json()).records.every((r: { status: string }) => r.status === 'active')).toBe(true)
    expect((await get(bureau, '/bureau/credit/export?format=xml')).status).toBe(400)
    expect((await get(operator, '/bureau/credit/export?format=csv')).status).toBe(403)
  })

  it('shows a partner’s records in force beside its pending public-interest request, serious ones flagged', async () => {
    const made = await recordCreditRecord(db(), {
      input: {
        subject: 'partner',
        partnerCode: 'huimin-service',
        severity: 'serious',
        source: 'case',
        caseRef: 'ZG-2026-0099',
        occurredOn: formatDay(Date.now()),
        expiresOn: formatDay(Date.now() + 30 * 86_400_000),
        description: '泄露核验结果',
      },
      actor: { id: null, label: 'bureau', role: 'bureau' },
    })
    if (!made.ok) throw new Error(made.error.code)
    const html = await (await get(bureau, '/bureau/subscriptions')).text()
    expect(html).toContain('data-testid="partner-credit"')
    expect(html).toContain(made.value.code)
    expect(html).toContain('data-testid="exit-candidate"')
  })

  it('the operator stops two products in one action, sees the banner everywhere, and resumes them all', async () => {
    const noReason = await postForm(platform.url, operator, '/operator/emergency', [
      ['intent', 'stop'],
      ['scope', 'products'],
      ['products', 'uscc-validate'],
      ['reason', ''],
    ])
    expect(noReason.status).toBe(400)
    expect(await db().select().from(emergencyStops)).toEqual([])
    const stopped = await postForm(platform.url, operator, '/operator/emergency', [
      ['intent', 'stop'],
      ['scope', 'products'],
      ['products', 'uscc-validate'],
      ['products', 'address-standardize'],
      ['reason', '路由测试：两个产品'],
    ])
    expect(stopped.status).toBe(302)
    const rows = await db().select().from(emergencyStops)
    expect(rows.map((r) => r.productCode).sort()).toEqual(['address-standardize', 'uscc-validate'])
    expect(new Set(rows.map((r) => r.actionId)).size).toBe(1)
    for (const [session, path] of [
      [operator, '/operator'],
      [bureau, '/bureau/credit'],
    ] as const)
      expect(await (await get(session, path)).text()).toContain('data-testid="emergency-banner"')
    const resumed = await postForm(platform.url, bureau, '/bureau/emergency', { intent: 'resume', reason: '已排除' })
    expect(resumed.status).toBe(302)
    expect(await db().select().from(emergencyStops).where(eq(emergencyStops.resumedByLabel, 'bureau'))).toHaveLength(2)
    expect(await (await get(operator, '/operator')).text()).not.toContain('data-testid="emergency-banner"')
    // The bureau reads the plans; only the operator drafts them.
    const plan = await postForm(platform.url, bureau, '/bureau/emergency', {
      intent: 'savePlan',
      code: 'EP-GENERAL',
      title: '改',
      body: '市数据局想改预案内容',
    })
    expect(plan.status).toBe(403)
  })

  it('incidents: the operator opens one, the bureau adds to its timeline and closes it', async () => {
    const opened = await postForm(platform.url, operator, '/operator/incidents', {
      intent: 'open',
      title: '路由测试事件',
      severity: 'high',
      affectedProducts: 'uscc-validate, address-standardize',
      affectedPartners: 'shengjing-tech',
      description: '路由测试：发现异常调用',
    })
    expect(opened.status).toBe(302)
    const code = opened.headers.get('location')!.split('/').pop()!
    expect(code).toMatch(/^SJ-\d{4}-\d{4}$/)
    const entry = await postForm(platform.url, bureau, `/bureau/incidents/${code}`, {
      intent: 'entry',
      kind: 'action',
      text: '已约谈合作方',
    })
    expect(entry.status).toBe(302)
    const emptyClose = await postForm(platform.url, bureau, `/bureau/incidents/${code}`, { intent: 'close', summary: '' })
    expect(emptyClose.status).toBe(400)
    expect(
      await postForm(platform.url, bureau, `/bureau/incidents/${code}`, { intent: 'close', summary: '已处置完毕' }),
    ).toMatchObject({ status: 302 })
    const [row] = await db().select().from(incidents).where(eq(incidents.code, code))
    expect(row).toMatchObject({ state: 'closed', closureSummary: '已处置完毕' })
    const html = await (await get(operator, `/operator/incidents/${code}`)).text()
    expect(html).toContain('已约谈合作方')
    expect((await get(operator, '/operator/incidents/SJ-1999-0001')).status).toBe(404)
  })
})
