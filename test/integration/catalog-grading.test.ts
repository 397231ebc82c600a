import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { count, desc, eq } from 'drizzle-orm'
import { auditLog, datasetFields, datasetGradings, datasets, products } from '#db/schema/index.ts'
import { openDatabase } from '#db/client.ts'
import { migrateDatabase, migrationsFolder } from '#db/migrate.ts'
import { registerDataset } from '#catalog/datasets/register-dataset.ts'
import { proposeDatasetLevel } from '#catalog/grading/propose-dataset-level.ts'
import { decideDatasetLevel } from '#catalog/grading/decide-dataset-level.ts'
import { applyPersonalDataFloor } from '#catalog/grading/apply-personal-data-floor.ts'
import { findDatasetGrading, listDatasetLevels } from '#catalog/grading/list-dataset-levels.ts'
import { listSuspensions } from '#partner-access/suspensions/list-suspensions.ts'
import { verifyAuditChain } from '#platform/audit/verify-audit-chain.ts'
import { cliActor, systemActor, type Actor } from '#platform/audit/record-audit.ts'
import { errorText } from '#platform/error-text.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'
import { actorOf, PEOPLE_FIELDS, unitId } from './catalog-fixtures.ts'

const REGISTRY = 'DS-SCJG-0001'
/** What a write failed with (drizzle wraps SQLite's message in its own). */
const failure = (write: PromiseLike<unknown>) =>
  Promise.resolve(write).then(
    () => 'ok',
    (e: unknown) => errorText(e),
  )

const REQUIREMENTS = '仅限企业信用评价场景使用；不得向第三方提供明细记录。'

describe('the personal-data floor and grading by the source units (Art. 5, ADR 0037)', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  const levelOf = async (code: string) =>
    (await t.db.select({ level: datasets.level }).from(datasets).where(eq(datasets.code, code)))[0]!.level
  const productOf = async (code: string) => (await t.db.select().from(products).where(eq(products.code, code)))[0]!
  const auditCount = async () => (await t.db.select({ n: count() }).from(auditLog))[0]!.n
  const gradingCount = async () => (await t.db.select({ n: count() }).from(datasetGradings))[0]!.n

  describe('no personal dataset below L2', () => {
    it('registration: refused at L1 with personal fields, nothing written; L1 without them, and L2 with them, go through as proposals', async () => {
      const operator = await actorOf(t.db, 'operator')
      const input = {
        sourceUnitId: await unitId(t.db, 'market-regulation'),
        nameZh: '人员名单',
        nameEn: 'People',
        domain: 'credit' as const,
        level: 'L1',
        deliveryMode: 'file' as const,
        fields: PEOPLE_FIELDS,
      }
      const before = { audit: await auditCount(), datasets: (await t.db.select({ n: count() }).from(datasets))[0]!.n }
      const refused = await registerDataset(t.db, { actor: operator, input })
      expect(refused).toMatchObject({
        ok: false,
        error: { kind: 'validation', code: 'personal_data_below_l2', fields: { level: 'personal_data_below_l2' } },
      })
      // Any tag counts: a plate alone is personal information too.
      const plate = await registerDataset(t.db, {
        actor: operator,
        input: { ...input, fields: [{ name: 'plate', type: 'string', piTag: 'plate' }] },
      })
      expect(plate.ok || plate.error.code).toBe('personal_data_below_l2')
      expect(await auditCount()).toBe(before.audit)
      expect((await t.db.select({ n: count() }).from(datasets))[0]!.n).toBe(before.datasets)

      const plain = await registerDataset(t.db, {
        actor: operator,
        input: { ...input, nameZh: '路段', fields: [{ name: 'segment', type: 'string' }] },
      })
      expect(plain.ok).toBe(true)
      const personal = await registerDataset(t.db, { actor: operator, input: { ...input, level: 'L2' } })
      if (!personal.ok) throw new Error(personal.error.code)
      const [row] = await listDatasetLevels(t.db, { actor: operator, code: personal.value.code })
      expect(row).toMatchObject({ level: 'L2', state: 'proposed', hasPersonalFields: true, confirmed: null })
      expect(row!.proposed).toMatchObject({ kind: 'proposal', level: 'L2', actorLabel: 'operator', role: 'operator' })
    })

    it('proposal and decision: refused below L2 for a personal dataset; the store says so too (triggers)', async () => {
      const operator = await actorOf(t.db, 'operator')
      const scjg = await actorOf(t.db, 'scjg')
      const before = { audit: await auditCount(), gradings: await gradingCount() }
      expect(await proposeDatasetLevel(t.db, { actor: operator, datasetCode: REGISTRY, level: 'L1' })).toMatchObject({
        ok: false,
        error: { code: 'personal_data_below_l2' },
      })
      expect(
        await decideDatasetLevel(t.db, { actor: scjg, datasetCode: REGISTRY, level: 'L1', usageRequirements: REQUIREMENTS }),
      ).toMatchObject({ ok: false, error: { code: 'personal_data_below_l2', fields: { level: 'personal_data_below_l2' } } })
      expect({ audit: await auditCount(), gradings: await gradingCount() }).toEqual(before)
      expect(await levelOf(REGISTRY)).toBe('L2')

      // Whoever writes: an update to L1, or a personal field added to an L1 dataset, aborts.
      expect(await failure(t.db.update(datasets).set({ level: 'L1' }).where(eq(datasets.code, REGISTRY)))).toMatch(
        /personal_data_below_l2/,
      )
      const [traffic] = await t.db.select().from(datasets).where(eq(datasets.code, 'DS-JT-0001'))
      expect(traffic!.level).toBe('L1')
      const phoneField = { datasetId: traffic!.id, ordinal: 99, name: 'driver_phone', type: 'string', piTag: 'phone' } as const
      expect(await failure(t.db.insert(datasetFields).values(phoneField))).toMatch(/personal_data_below_l2/)
      expect(
        await failure(t.db.update(datasetFields).set({ piTag: 'plate' }).where(eq(datasetFields.datasetId, traffic!.id))),
      ).toMatch(/personal_data_below_l2/)
      // The history is append-only.
      expect(await failure(t.db.delete(datasetGradings))).toMatch(/append-only/)
    })
  })

  describe('the operator proposes, the source unit decides', () => {
    it('a proposal changes nothing in force; the source unit confirms with its usage requirements', async () => {
      const operator = await actorOf(t.db, 'operator')
      const scjg = await actorOf(t.db, 'scjg')
      const proposed = await proposeDatasetLevel(t.db, {
        actor: operator,
        datasetCode: 'DS-JT-0001',
        level: 'L2',
        note: '含路段编码，建议内部级',
      })
      expect(proposed.ok).toBe(true)
      expect(await levelOf('DS-JT-0001')).toBe('L1')
      const [row] = await listDatasetLevels(t.db, { actor: operator, code: 'DS-JT-0001' })
      expect(row).toMatchObject({
        level: 'L1',
        state: 'proposed',
        proposed: { kind: 'proposal', level: 'L2', note: '含路段编码，建议内部级' },
      })

      // Market regulation confirms its registry as it is: no product changes.
      const confirmed = await decideDatasetLevel(t.db, {
        actor: scjg,
        datasetCode: REGISTRY,
        level: 'L2',
        usageRequirements: `  ${REQUIREMENTS}  `,
        now: 1_800_000_000_000,
      })
      expect(confirmed).toMatchObject({ ok: true, value: { level: 'L2', previousLevel: 'L2', suspended: [] } })
      const detail = await findDatasetGrading(t.db, { actor: operator, code: REGISTRY })
      expect(detail).toMatchObject({
        state: 'confirmed',
        usageRequirements: REQUIREMENTS,
        confirmed: { kind: 'decision', level: 'L2', actorLabel: 'scjg', role: 'source_unit', at: 1_800_000_000_000 },
      })
      expect(detail!.products.map((p) => [p.code, p.outputKind])).toContainEqual(['enterprise-credit-profile', 'record'])
      const [entry] = await t.db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1)
      expect(entry).toMatchObject({ action: 'dataset.decide_level', role: 'source_unit', objectType: 'dataset' })
      expect(JSON.parse(entry!.detail!)).toMatchObject({ code: REGISTRY, from: 'L2', to: 'L2', usageRequirements: REQUIREMENTS })
    })

    it('a re-grading applies at once: product levels follow, and products whose output no longer complies are suspended with the reason', async () => {
      const scjg = await actorOf(t.db, 'scjg')
      const result = await decideDatasetLevel(t.db, {
        actor: scjg,
        datasetCode: REGISTRY,
        level: 'L3',
        usageRequirements: REQUIREMENTS,
      })
      if (!result.ok) throw new Error(result.error.code)
      // The profile lets out registry records: L3 forbids them. Verdicts, scores and aggregates over groups ≥ 10 still comply.
      expect(result.value.suspended.map((s) => [s.code, s.rule])).toEqual([['enterprise-credit-profile', 'l3_forbids_record']])
      const profile = await productOf('enterprise-credit-profile')
      expect(profile.suspendedAt).not.toBeNull()
      expect(profile.suspensionReason).toContain(REGISTRY)
      expect(profile.suspensionReason).toContain('L3')
      for (const code of [
        'verify-enterprise-identity',
        'verify-legal-representative',
        'aggregate-query',
        'district-economy-report',
      ])
        expect((await productOf(code)).suspendedAt, code).toBeNull()
      expect((await productOf('verify-enterprise-identity')).level).toBe('L3')
      expect((await productOf('enterprise-credit-score')).level).toBe('L4')
      // The bureau's suspensions page shows why.
      const bureau = (await listSuspensions(t.db)).products.find((p) => p.code === 'enterprise-credit-profile')
      expect(bureau).toMatchObject({ reason: profile.suspensionReason })
      const [grading] = await t.db.select().from(datasetGradings).orderBy(desc(datasetGradings.at)).limit(1)
      expect(JSON.parse(grading!.suspendedProducts!)).toEqual(['enterprise-credit-profile'])

      // To L4: aggregates go too; the product already suspended keeps its first reason.
      const l4 = await decideDatasetLevel(t.db, {
        actor: scjg,
        datasetCode: REGISTRY,
        level: 'L4',
        usageRequirements: REQUIREMENTS,
      })
      if (!l4.ok) throw new Error(l4.error.code)
      const aggregates = l4.value.suspended.map((s) => s.code)
      expect(aggregates).toEqual(expect.arrayContaining(['aggregate-query', 'district-economy-report']))
      for (const s of l4.value.suspended) expect(s.rule, s.code).toBe('l4_forbids_aggregate')
      expect((await productOf('enterprise-credit-profile')).suspensionReason).toBe(profile.suspensionReason)
      expect((await verifyAuditChain(t.db)).ok).toBe(true)
    })

    it('two decisions at once: each commits whole or answers conflict, and the history matches the level in force', async () => {
      const scjg = await actorOf(t.db, 'scjg')
      const results = await Promise.all(
        (['L3', 'L4'] as const).map((level) =>
          decideDatasetLevel(t.db, { actor: scjg, datasetCode: REGISTRY, level, usageRequirements: REQUIREMENTS }),
        ),
      )
      const passed = results.filter((r) => r.ok)
      for (const r of results) if (!r.ok) expect(r.error).toMatchObject({ kind: 'conflict', code: 'grading_changed' })
      expect(passed.length).toBeGreaterThanOrEqual(1)
      const decisions = await t.db.select().from(datasetGradings).where(eq(datasetGradings.kind, 'decision'))
      expect(decisions).toHaveLength(passed.length)
      const [latest] = await listDatasetLevels(t.db, { actor: scjg, code: REGISTRY })
      expect(latest!.level).toBe(latest!.confirmed!.level)
    })
  })

  describe('who may grade', () => {
    it('only the owning source unit decides: other roles are forbidden, another unit’s dataset is not found, and nothing changes', async () => {
      const scjg = await actorOf(t.db, 'scjg')
      const others: Actor[] = [
        await actorOf(t.db, 'operator'),
        await actorOf(t.db, 'bureau'),
        await actorOf(t.db, 'partner.admin'),
        await actorOf(t.db, 'auditor'),
        cliActor(),
        systemActor(),
        { ...scjg, sourceUnitId: null },
      ]
      const before = { audit: await auditCount(), gradings: await gradingCount() }
      for (const actor of others) {
        const r = await decideDatasetLevel(t.db, { actor, datasetCode: REGISTRY, level: 'L3', usageRequirements: REQUIREMENTS })
        expect(r.ok || r.error.kind, actor.label).toBe('forbidden')
      }
      for (const code of ['DS-SW-0001', 'DS-RS-0001', 'NO-SUCH']) {
        const r = await decideDatasetLevel(t.db, { actor: scjg, datasetCode: code, level: 'L4', usageRequirements: REQUIREMENTS })
        expect(r.ok || r.error.kind, code).toBe('not_found')
      }
      // Proposing is the operator's.
      const propose = await proposeDatasetLevel(t.db, { actor: scjg, datasetCode: REGISTRY, level: 'L3' })
      expect(propose.ok || propose.error.kind).toBe('forbidden')
      // A source unit lists only its own datasets.
      const own = await listDatasetLevels(t.db, { actor: scjg })
      expect(own.map((r) => r.code)).toContain(REGISTRY)
      expect(new Set(own.map((r) => r.sourceUnitCode))).toEqual(new Set(['market-regulation']))
      expect(await findDatasetGrading(t.db, { actor: scjg, code: 'DS-SW-0001' })).toBeNull()
      expect({ audit: await auditCount(), gradings: await gradingCount() }).toEqual(before)
      expect(await levelOf('DS-SW-0001')).toBe('L3')
    })

    it('hostile input: every bad field answered next to it, nothing written', async () => {
      const scjg = await actorOf(t.db, 'scjg')
      const before = { audit: await auditCount(), gradings: await gradingCount() }
      const cases: [unknown, unknown, Record<string, string> | string][] = [
        ['L3', '', { usageRequirements: 'required' }],
        ['L3', '   ', { usageRequirements: 'required' }],
        ['L3', 'x'.repeat(2001), { usageRequirements: 'too_long' }],
        ['L3', '要求\u0000隐藏', { usageRequirements: 'invalid' }],
        ['L3', { toString: () => 'x' }, { usageRequirements: 'required' }],
        ['L5', REQUIREMENTS, { level: 'invalid' }],
        ['<script>alert(1)</script>', REQUIREMENTS, { level: 'invalid' }],
        ["L3' OR '1'='1", REQUIREMENTS, { level: 'invalid' }],
        [3, REQUIREMENTS, { level: 'required' }],
        [['L3'], REQUIREMENTS, { level: 'required' }],
        [null, null, { level: 'required', usageRequirements: 'required' }],
        ['core', REQUIREMENTS, 'level_not_operable'],
        ['Secret', REQUIREMENTS, 'level_not_operable'],
      ]
      for (const [level, usageRequirements, expected] of cases) {
        const r = await decideDatasetLevel(t.db, { actor: scjg, datasetCode: REGISTRY, level, usageRequirements })
        if (r.ok) throw new Error(`accepted ${String(level)}`)
        if (typeof expected === 'string') expect(r.error.code).toBe(expected)
        else expect(r.error.fields, JSON.stringify([level, usageRequirements])).toEqual(expected)
      }
      // A 2,000-character requirement, with line breaks, is fine.
      const long = `第一条\n${'要'.repeat(1996)}`
      expect(
        (await decideDatasetLevel(t.db, { actor: scjg, datasetCode: REGISTRY, level: 'L2', usageRequirements: long })).ok,
      ).toBe(true)
      expect({ audit: await auditCount(), gradings: await gradingCount() }).toEqual({
        audit: before.audit + 1,
        gradings: before.gradings + 1,
      })
    })
  })

  it('the migration: a personal dataset graded L1 before the floor is lifted to L2 at start, audited, pending its source unit', async () => {
    // An install at migration 0026 (before the floor) with a personal dataset graded L1 and a product on it.
    const dir = mkdtempSync(join(tmpdir(), 'sdp-floor-'))
    const folder = join(dir, 'migrations')
    cpSync(migrationsFolder, folder, { recursive: true })
    const journalPath = join(folder, 'meta', '_journal.json')
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number; tag: string }[] }
    const floorIdx = journal.entries.find((e) => e.tag.endsWith('_dataset_grading_personal_floor'))!.idx
    writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.filter((e) => e.idx < floorIdx) }))
    const database = await openDatabase(`file:${join(dir, 'old.db')}`)
    try {
      await migrate(database.db, { migrationsFolder: folder })
      const unit = randomUUID()
      const dataset = randomUUID()
      const product = randomUUID()
      await database.client.execute({
        sql: "insert into source_units (id, code, name_zh, name_en, created_at) values (?, 'old-unit', '旧单位', 'Old unit', 1)",
        args: [unit],
      })
      await database.client.execute({
        sql: `insert into datasets (id, code, source_unit_id, name_zh, name_en, domain, level, delivery_mode, created_at)
              values (?, 'DS-OLD-0001', ?, '旧名单', 'Old list', 'credit', 'L1', 'file', 1)`,
        args: [dataset, unit],
      })
      await database.client.execute({
        sql: "insert into dataset_fields (dataset_id, ordinal, name, type, pi_tag) values (?, 0, 'phone', 'string', 'phone')",
        args: [dataset],
      })
      await database.client.execute({
        sql: `insert into products (id, code, name_zh, name_en, form, level, state, created_at)
              values (?, 'old-service', '旧服务', 'Old service', 'service', 'L1', 'published', 1)`,
        args: [product],
      })
      await database.client.execute({
        sql: 'insert into product_datasets (product_id, dataset_id) values (?, ?)',
        args: [product, dataset],
      })

      // The migration itself keeps the row (its triggers guard writes from now on); the start-up step lifts it.
      await migrateDatabase(database.db)
      const level = async () => (await database.db.select().from(datasets).where(eq(datasets.id, dataset)))[0]!.level
      expect(await level()).toBe('L1')
      expect(await applyPersonalDataFloor(database.db)).toEqual({ raised: ['DS-OLD-0001'] })
      expect(await level()).toBe('L2')
      expect((await database.db.select().from(products).where(eq(products.id, product)))[0]).toMatchObject({
        level: 'L2',
        suspendedAt: null,
      })
      const [entry] = await database.db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1)
      expect(entry).toMatchObject({ action: 'dataset.floor_raised', role: 'system', objectId: dataset })
      expect(JSON.parse(entry!.detail!)).toMatchObject({ from: 'L1', to: 'L2', rule: 'personal_data_below_l2' })
      const [row] = await listDatasetLevels(database.db, { actor: cliActor(), code: 'DS-OLD-0001' })
      expect(row).toMatchObject({ level: 'L2', state: 'proposed', proposed: { kind: 'floor', level: 'L2', previousLevel: 'L1' } })
      // Idempotent; a wrong actor is refused.
      expect(await applyPersonalDataFloor(database.db)).toEqual({ raised: [] })
      await expect(applyPersonalDataFloor(database.db, { actor: { id: null, label: 'x', role: 'operator' } })).rejects.toThrow()
      expect((await verifyAuditChain(database.db)).ok).toBe(true)
    } finally {
      database.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('the seed holds the floor: every dataset with personal fields is L2 or above', async () => {
    const rows = await listDatasetLevels(t.db, { actor: cliActor() })
    expect(rows.length).toBeGreaterThanOrEqual(6)
    for (const r of rows) if (r.hasPersonalFields) expect(['L2', 'L3', 'L4'], r.code).toContain(r.level)
    expect(await applyPersonalDataFloor(t.db)).toEqual({ raised: [] })
  })
})
