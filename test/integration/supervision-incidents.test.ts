import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { runCli } from '#cli/platform.ts'
import { auditLog, drills, emergencyStops, incidentEntries, incidents } from '#db/schema/index.ts'
import type { Actor } from '#platform/audit/record-audit.ts'
import { openIncident } from '#supervision/incidents/open-incident.ts'
import { addIncidentEntry } from '#supervision/incidents/add-incident-entry.ts'
import { closeIncident } from '#supervision/incidents/close-incident.ts'
import { getIncident, listIncidents } from '#supervision/incidents/list-incidents.ts'
import { saveEmergencyPlan } from '#supervision/emergency/save-emergency-plan.ts'
import { listEmergencyPlans } from '#supervision/emergency/list-emergency-plans.ts'
import { recordDrill } from '#supervision/emergency/record-drill.ts'
import { listDrills } from '#supervision/emergency/list-drills.ts'
import { runStopDrill } from '#supervision/emergency/run-stop-drill.ts'
import { getEmergencyState } from '#supervision/emergency/get-emergency-state.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

// Incidents, emergency plans and drills (Art. 13; ADR 0029).

const operator: Actor = { id: null, label: 'operator', role: 'operator' }
const bureau: Actor = { id: null, label: 'bureau', role: 'bureau' }
const partnerAdmin: Actor = { id: null, label: 'partner.admin', role: 'partner_admin', partnerId: 'p' }
const auditor: Actor = { id: null, label: 'auditor', role: 'auditor' }

describe('the incident register', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  const open = (actor = operator) =>
    openIncident(t.db, {
      input: {
        title: '核验接口响应异常',
        severity: 'high',
        affected: { products: ['verify-enterprise-identity'], datasets: ['DS-SCJG-0001'], partners: ['shengjing-tech'] },
        description: '09:12 监控发现核验接口错误率升至 30%',
      },
      actor,
    })

  it('opens, appends to the timeline (operator and bureau), closes with a summary; every step audited', async () => {
    const opened = await open()
    if (!opened.ok) throw new Error(opened.error.code)
    expect(opened.value.code).toMatch(/^SJ-\d{4}-\d{4}$/)
    expect(
      (await addIncidentEntry(t.db, { incident: opened.value.code, kind: 'action', text: '已暂停该产品', actor: operator })).ok,
    ).toBe(true)
    expect(
      (await addIncidentEntry(t.db, { incident: opened.value.id, kind: 'note', text: '市数据局已知悉', actor: bureau })).ok,
    ).toBe(true)
    const closed = await closeIncident(t.db, {
      incident: opened.value.code,
      summary: '上游数据库故障，已修复并恢复服务',
      actor: bureau,
    })
    expect(closed.ok).toBe(true)
    const incident = await getIncident(t.db, { incident: opened.value.code })
    expect(incident).toMatchObject({
      state: 'closed',
      closureSummary: '上游数据库故障，已修复并恢复服务',
      closedByLabel: 'bureau',
    })
    expect(incident!.affected).toEqual({
      products: ['verify-enterprise-identity'],
      datasets: ['DS-SCJG-0001'],
      partners: ['shengjing-tech'],
      platform: false,
    })
    expect(incident!.entries.map((e) => [e.kind, e.actorLabel])).toEqual([
      ['opened', 'operator'],
      ['action', 'operator'],
      ['note', 'bureau'],
      ['closed', 'bureau'],
    ])
    const actions = (await t.db.select().from(auditLog)).filter((a) => a.objectId === opened.value.id).map((a) => a.action)
    expect(actions).toEqual(['incident.open', 'incident.add_entry', 'incident.add_entry', 'incident.close'])
    // Closed: no more entries, no second close.
    const late = await addIncidentEntry(t.db, { incident: opened.value.code, kind: 'note', text: '补记', actor: operator })
    expect(late.ok || late.error.code).toBe('incident_closed')
    const again = await closeIncident(t.db, { incident: opened.value.code, summary: '再次关闭', actor: operator })
    expect(again.ok || again.error.code).toBe('incident_closed')
    expect((await listIncidents(t.db, { state: 'closed' })).map((i) => i.code)).toContain(opened.value.code)
  })

  it('keeps the timeline append-only in the store', async () => {
    const opened = await open()
    if (!opened.ok) throw new Error(opened.error.code)
    await expect(t.client.execute(`UPDATE incident_entries SET text = 'x'`)).rejects.toThrow(/append-only/)
    await expect(t.client.execute(`DELETE FROM incident_entries`)).rejects.toThrow(/append-only/)
  })

  it('refuses bad input field by field, unknown incidents, other roles; nothing changes', async () => {
    // The seed's incidents are there already: nothing is added to them.
    const incidentsBefore = (await t.db.select().from(incidents)).length
    const entriesBefore = (await t.db.select().from(incidentEntries)).length
    const bad = await openIncident(t.db, {
      input: { title: '', severity: 'apocalyptic', affected: { products: ['nope'], partners: ['nobody'] }, description: '' },
      actor: operator,
    })
    expect(bad.ok || bad.error.fields).toEqual({
      title: 'required',
      description: 'required',
      severity: 'invalid',
      affectedProducts: 'unknown',
      affectedPartners: 'unknown',
    })
    const nothing = await openIncident(t.db, {
      input: { title: '无影响', severity: 'low', affected: {}, description: '什么也没有' },
      actor: operator,
    })
    expect(nothing.ok || nothing.error.fields).toEqual({ affected: 'required' })
    for (const actor of [partnerAdmin, auditor, { id: null, label: 'cli', role: 'cli' } as Actor]) {
      const refused = await open(actor)
      expect(refused.ok || refused.error.code).toBe('forbidden')
    }
    const missing = await addIncidentEntry(t.db, { incident: 'SJ-1999-0001', kind: 'note', text: '无此事件', actor: operator })
    expect(missing.ok || missing.error.code).toBe('incident_not_found')
    const badKind = await addIncidentEntry(t.db, { incident: 'x', kind: 'delete', text: '', actor: operator })
    expect(badKind.ok || badKind.error.fields).toEqual({ kind: 'invalid', text: 'required' })
    expect(await t.db.select().from(incidents)).toHaveLength(incidentsBefore)
    expect(await t.db.select().from(incidentEntries)).toHaveLength(entriesBefore)
  })

  it('a platform-wide incident', async () => {
    const r = await openIncident(t.db, {
      input: { title: '机房断电', severity: 'critical', affected: { platform: true }, description: '主机房市电中断' },
      actor: bureau,
    })
    expect(r.ok).toBe(true)
    if (!r.ok) throw new Error(r.error.code)
    expect((await getIncident(t.db, { incident: r.value.code }))!.affected.platform).toBe(true)
  })
})

describe('emergency plans and drills', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  it('saves every change of a plan as a new version, keeping the history; only the operator drafts', async () => {
    const body = '一、总则……二、组织机构……三、处置流程……'
    const v1 = await saveEmergencyPlan(t.db, { code: 'ep-test', title: '测试预案', body, actor: operator })
    const v2 = await saveEmergencyPlan(t.db, {
      code: 'EP-TEST',
      title: '测试预案（修订）',
      body: body + '四、演练',
      actor: operator,
    })
    expect([v1.ok && v1.value, v2.ok && v2.value]).toEqual([
      { code: 'EP-TEST', version: 1 },
      { code: 'EP-TEST', version: 2 },
    ])
    const plan = (await listEmergencyPlans(t.db)).find((p) => p.latest.code === 'EP-TEST')!
    expect(plan.latest).toMatchObject({ version: 2, title: '测试预案（修订）' })
    expect(plan.history.map((h) => h.version)).toEqual([2, 1])
    const bureauSave = await saveEmergencyPlan(t.db, { code: 'EP-TEST', title: '改', body, actor: bureau })
    expect(bureauSave.ok || bureauSave.error.code).toBe('forbidden')
    const bad = await saveEmergencyPlan(t.db, { code: '../x', title: '', body: 'short', actor: operator })
    expect(bad.ok || bad.error.fields).toEqual({ code: 'invalid', title: 'required', body: 'required' })
  })

  it('two saves at once take consecutive versions', async () => {
    const saves = await Promise.all(
      [1, 2, 3].map((n) =>
        saveEmergencyPlan(t.db, { code: 'EP-RACE', title: `版本 ${n}`, body: '内容内容内容内容内容', actor: operator }),
      ),
    )
    expect(saves.map((s) => (s.ok ? s.value.version : s.error.code)).sort()).toEqual([1, 2, 3])
  })

  it('records a drill with its day, scope and outcome; refuses a future day', async () => {
    const held = await recordDrill(t.db, {
      input: { heldOn: '2026-10-15', scope: '桌面推演：数据泄露', outcome: '流程清晰，通讯录需更新', planCode: 'EP-GENERAL' },
      actor: bureau,
    })
    expect(held.ok).toBe(true)
    const future = await recordDrill(t.db, { input: { heldOn: '2999-01-01', scope: '未来', outcome: '未来' }, actor: operator })
    expect(future.ok || future.error.fields).toEqual({ heldOn: 'future' })
    expect((await listDrills(t.db)).map((d) => d.scope)).toContain('桌面推演：数据泄露')
  })

  it('runs a stop drill on one product: really stopped, then resumed, with its timings recorded', async () => {
    let seenDuringHold: string[] = []
    const drill = await runStopDrill(t.db, {
      productCode: 'uscc-validate',
      actor: operator,
      holdMs: 5,
      sleep: async () => {
        seenDuringHold = (await getEmergencyState(t.db)).active.map((s) => s.productCode ?? '*')
      },
    })
    if (!drill.ok) throw new Error(drill.error.code)
    expect(seenDuringHold).toEqual(['uscc-validate'])
    expect((await getEmergencyState(t.db)).active).toEqual([])
    const [row] = await t.db.select().from(drills).where(eq(drills.id, drill.value.id))
    expect(row).toMatchObject({ kind: 'stop_drill', productCode: 'uscc-validate' })
    expect(row!.stopSeenAt!).toBeGreaterThanOrEqual(row!.stoppedAt!)
    expect(row!.resumedAt!).toBeGreaterThanOrEqual(row!.stopSeenAt!)
    const [stop] = await t.db.select().from(emergencyStops).where(eq(emergencyStops.drillId, drill.value.id))
    expect(stop!.resumedAt).not.toBeNull()
    const unknown = await runStopDrill(t.db, { productCode: 'nope', actor: operator, holdMs: 0 })
    expect(unknown.ok || unknown.error.code).toBe('product_not_found')
    const refused = await runStopDrill(t.db, { productCode: 'uscc-validate', actor: partnerAdmin, holdMs: 0 })
    expect(refused.ok || refused.error.code).toBe('forbidden')
  })
})

describe('emergency CLI', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  async function run(...argv: string[]) {
    const out: string[] = []
    const err: string[] = []
    const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, { DATABASE_URL: `file:${t.path}` })
    return { code, out: out.join('\n'), err: err.join('\n'), json: () => JSON.parse(out.join('\n')) }
  }

  it('emergency:stop --product, emergency:status, emergency:resume --product; then all; audited as cli', async () => {
    expect((await run('emergency:stop', '--product', 'uscc-validate')).code).toBe(2)
    const stopped = await run('emergency:stop', '--reason', '演练：单产品停止', '--product', 'uscc-validate', '--json')
    expect(stopped.code).toBe(0)
    expect(stopped.json()).toMatchObject({ scope: 'products', productCodes: ['uscc-validate'] })
    const status = await run('emergency:status', '--json')
    expect(status.json().active.map((s: { productCode: string }) => s.productCode)).toEqual(['uscc-validate'])
    const resumed = await run('emergency:resume', '--product', 'uscc-validate', '--json')
    expect(resumed.json().resumed).toEqual([expect.objectContaining({ productCode: 'uscc-validate' })])
    const all = await run('emergency:stop', '--reason', '全部停止演练')
    expect(all.out).toContain('every metered product')
    expect((await run('emergency:resume')).out).toContain('every product')
    const none = await run('emergency:resume')
    expect(none.code).toBe(1)
    expect(none.err).toContain('not_stopped')
    expect((await run('emergency:stop', '--reason', '理由充分', '--product', 'no-such')).err).toContain('product_not_found')
    const roles = (await t.db.select().from(auditLog).where(eq(auditLog.objectType, 'emergency_stop'))).map((a) => a.role)
    expect(roles).toEqual(['cli', 'cli', 'cli', 'cli'])
  })
})
