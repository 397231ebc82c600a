import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import { cityEnterprises, citySocialSecurity, datasetRecords } from '#db/schema/index.ts'
import { loadDatasetFile } from '#catalog/datasets/load-dataset-file.ts'
import { runCli } from '#cli/platform.ts'
import { systemActor } from '#platform/audit/record-audit.ts'
import { matchesBlindIndex } from '#platform/crypto/blind-index.ts'
import { DEV_DATA_ENCRYPTION_KEY, dataKeyringFromEnv, parseDataKeyring, useDataKeyring } from '#platform/crypto/data-keyring.ts'
import { rotateDataKey, type RotationProgress } from '#platform/crypto/rotate-data-key.ts'
import { openValue, sealedKeyIdOf } from '#platform/crypto/sealed-value.ts'
import { callGateway } from '#test/support/openapi.ts'
import { demoApiKey, startGateway, type GatewayHarness } from '#test/support/gateway-server.ts'
import { plainCity } from '#test/support/plain-city.ts'
import { loadOrCreateDemoState } from '#seed/demo-state.ts'
import { actorOf, authorizeThroughDemand, PEOPLE_FIELDS, registerTestDataset, unwrap } from './catalog-fixtures.ts'

// `npm run platform -- crypto:rotate-key` (ADR 0019): the base database is sealed under the development key; the
// ring puts a new key k2 first. The rotation is interrupted twice (in the registry, then in the middle of the
// social-security persons), the products answer the same throughout, the CLI resumes it with its progress display,
// a second run finds nothing to do, and once the old key is dropped every value opens to what the generator made.

const NEW_KEY = `k2:${'7c'.repeat(32)}`
const RING = `${NEW_KEY},${DEV_DATA_ENCRYPTION_KEY}`
const OLD_ID = DEV_DATA_ENCRYPTION_KEY.split(':')[0]!

class Interrupted extends Error {}

describe('crypto:rotate-key', () => {
  let h: GatewayHarness
  beforeEach(async () => {
    h = await startGateway()
    // The servers restarted with the new ring first: they read both keys.
    useDataKeyring(parseDataKeyring(RING))
  })
  afterEach(async () => {
    useDataKeyring(dataKeyringFromEnv({ NODE_ENV: 'test' }))
    await h.stop()
  })

  /** Enterprises (by the key their ID number is sealed under, or `clear`) and persons, counted per key. */
  async function keysInUse() {
    const db = h.database.db
    const keyOf = (column: string) =>
      sql<string>`case when ${sql.raw(column)} like 'sm4:v1:%' then substr(${sql.raw(column)}, 8, instr(substr(${sql.raw(column)}, 8), ':') - 1) else 'clear' end`
    const enterprises = await db
      .select({ key: keyOf('legal_rep_id_card'), n: sql<number>`count(*)` })
      .from(cityEnterprises)
      .groupBy(keyOf('legal_rep_id_card'))
    const persons = await db
      .select({
        key: sql<string>`substr(${citySocialSecurity.idCardBidx}, 1, instr(${citySocialSecurity.idCardBidx}, ':') - 1)`,
        n: sql<number>`count(distinct ${citySocialSecurity.idCardBidx})`,
      })
      .from(citySocialSecurity)
      .groupBy(sql`1`)
    const asRecord = (rows: { key: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]))
    return { enterprises: asRecord(enterprises), persons: asRecord(persons) }
  }

  /** What the products answer for a few subjects: must not change while the keys do. */
  async function answers(usccs: string[]) {
    const out: unknown[] = []
    for (const uscc of usccs) {
      const e = plainCity().enterprises.find((x) => x.uscc === uscc)!
      const check = await callGateway(h.baseUrl, 'POST', '/api/v1/verifications/legal-representative', {
        demoKey: demoApiKey,
        body: { uscc, personName: e.legalRepName, idNumber: e.legalRepIdCard },
      })
      const profile = await callGateway(h.baseUrl, 'GET', `/api/v1/services/enterprise-credit-profile/${uscc}`, {
        demoKey: demoApiKey,
      })
      const score = await callGateway(h.baseUrl, 'POST', '/api/v1/models/enterprise-credit-score/score', {
        demoKey: demoApiKey,
        body: { uscc },
      })
      out.push({ check: check.body, profile: profile.body, score: score.body })
    }
    const headcount = await callGateway(h.baseUrl, 'POST', '/api/v1/components/social-security/query', {
      demoKey: demoApiKey,
      body: { groupBy: ['month'], metrics: [{ op: 'count' }] },
    })
    out.push({ headcount: headcount.res.status === 200 ? headcount.body : headcount.res.status })
    return out
  }

  const interruptAt = (table: string, batch: number) => {
    let batches = 0
    return (p: RotationProgress) => {
      if (p.table === table && p.done > 0 && ++batches === batch) throw new Interrupted(`stopped in ${table}`)
    }
  }

  it('re-seals in batches, resumes after an interruption, answers the same throughout, and finishes once', async () => {
    const db = h.database.db
    const keyring = parseDataKeyring(RING)
    const actor = systemActor('test')
    const city = plainCity()

    // A generic-store dataset with personal fields, loaded under the old key.
    const people = await registerTestDataset(db, { fields: PEOPLE_FIELDS.slice(0, 3) })
    await authorizeThroughDemand(db, { datasetCode: people.code, granter: await actorOf(db, 'scjg') })
    useDataKeyring(parseDataKeyring(DEV_DATA_ENCRYPTION_KEY))
    unwrap(
      await loadDatasetFile(db, {
        actor: await actorOf(db, 'operator'),
        datasetCode: people.code,
        fileName: 'people.csv',
        content: 'id_card,name,age\n210102199001011234,张伟,36\n210102198502022345,李娜,41\n',
      }),
    )
    useDataKeyring(keyring)
    // A row an earlier version stored in clear (migration 0006 gives such rows placeholder indexes).
    const legacy = city.enterprises[7]!
    await db
      .update(cityEnterprises)
      .set({
        legalRepName: legacy.legalRepName,
        legalRepIdCard: legacy.legalRepIdCard,
        legalRepPhone: legacy.legalRepPhone,
        legalRepNameBidx: '',
        legalRepIdCardBidx: '',
      })
      .where(eq(cityEnterprises.uscc, legacy.uscc))

    const [employer] = await db
      .select({ uscc: citySocialSecurity.employerUscc })
      .from(citySocialSecurity)
      .groupBy(citySocialSecurity.employerUscc)
      .orderBy(sql`count(*) desc`)
      .limit(1)
    const subjects = [city.enterprises[0]!.uscc, city.enterprises[1_999]!.uscc, employer!.uscc]
    const persons = new Set(city.socialSecurity.map((p) => p.idCard)).size
    const before = await answers(subjects)
    expect(before[0]).toMatchObject({
      check: { match: true },
      profile: { legalRepresentative: { idNumber: expect.any(String) } },
    })
    expect(await keysInUse()).toEqual({
      enterprises: { [OLD_ID]: city.enterprises.length - 1, clear: 1 },
      persons: { [OLD_ID]: persons },
    })

    // Stopped after two batches of 300 enterprises: 600 under k2, the rest as they were; the answers are the same.
    await expect(
      rotateDataKey(db, { keyring, actor, batchSize: 300, onProgress: interruptAt('city_enterprises', 2) }),
    ).rejects.toThrow(Interrupted)
    const midway = await keysInUse()
    expect(midway.enterprises.k2).toBe(600)
    expect((midway.enterprises[OLD_ID] ?? 0) + (midway.enterprises.clear ?? 0)).toBe(city.enterprises.length - 600)
    expect(await answers(subjects)).toEqual(before)

    // Stopped again in the middle of the persons: each person's rows moved together, so no one is counted twice.
    await expect(
      rotateDataKey(db, { keyring, actor, batchSize: 300, onProgress: interruptAt('city_social_security', 3) }),
    ).rejects.toThrow(Interrupted)
    const persons2 = (await keysInUse()).persons
    expect((await keysInUse()).enterprises).toEqual({ k2: city.enterprises.length })
    expect(persons2.k2).toBe(3 * Math.floor(300 / 36))
    expect(persons2.k2! + persons2[OLD_ID]!).toBe(persons)
    expect(await answers(subjects)).toEqual(before)

    // Resumed from the CLI: only what is left, with a progress display per table.
    const env = { NODE_ENV: 'test', DATABASE_URL: `file:${h.database.path}`, DATA_ENCRYPTION_KEY: RING }
    const out: string[] = []
    const err: string[] = []
    const io = { out: (line: string) => out.push(line), err: (line: string) => err.push(line) }
    expect(await runCli(['crypto:rotate-key', '--batch', '300'], io, env)).toBe(0)
    const leftPersons = persons - persons2.k2!
    expect(err.join('\n')).toMatch(/city_enterprises +\[#{30}\] 100% {2}0\/0 rows/)
    expect(err.join('\n')).toMatch(/city_social_security +\[-{30}\] {3}0% {2}0\//)
    expect(err.join('\n')).toMatch(/dataset_records +\[#{30}\] 100% {2}2\/2 rows/)
    expect(out.join('\n')).toMatch(/under key k2/)
    expect(out.join('\n')).toMatch(/older keys \(dev-only-test\) may now be dropped/)
    expect(await keysInUse()).toEqual({ enterprises: { k2: city.enterprises.length }, persons: { k2: persons } })
    expect(leftPersons).toBeGreaterThan(0)

    // A second run finds nothing to do.
    const again: string[] = []
    expect(await runCli(['crypto:rotate-key', '--json'], { out: (l) => again.push(l), err: io.err }, env)).toBe(0)
    expect(JSON.parse(again.join('\n'))).toMatchObject({ keyId: 'k2', resealed: 0, keysNoLongerNeeded: [OLD_ID] })

    // The old key dropped: every value opens to what the generator made, every index matches, the answers are the same.
    const onlyNew = parseDataKeyring(NEW_KEY)
    useDataKeyring(onlyNew)
    expect(await answers(subjects)).toEqual(before)
    const stored = await db.select().from(cityEnterprises)
    expect(stored).toHaveLength(city.enterprises.length)
    const plainOf = new Map(city.enterprises.map((e) => [e.uscc, e]))
    for (const row of stored) {
      const plain = plainOf.get(row.uscc)!
      expect(openValue(onlyNew, row.legalRepIdCard, 'city_enterprises.legal_rep_id_card')).toBe(plain.legalRepIdCard)
      expect(openValue(onlyNew, row.legalRepPhone, 'city_enterprises.legal_rep_phone')).toBe(plain.legalRepPhone)
      expect(openValue(onlyNew, row.legalRepName, 'city_enterprises.legal_rep_name')).toBe(plain.legalRepName)
      expect(matchesBlindIndex(onlyNew, row.legalRepIdCardBidx, 'id_card', plain.legalRepIdCard)).toBe(true)
    }
    const [person] = await db.select().from(citySocialSecurity).limit(1)
    expect(sealedKeyIdOf(person!.idCard)).toBe('k2')
    const records = await db.select().from(datasetRecords).where(eq(datasetRecords.datasetId, people.id))
    const opened = records.map((r) => JSON.parse(r.data) as Record<string, string>)
    expect(opened.map((r) => openValue(onlyNew, r.id_card!, 'dataset_records.id_card')).sort()).toEqual([
      '210102198502022345',
      '210102199001011234',
    ])
    expect(opened.map((r) => openValue(onlyNew, r.name!, 'dataset_records.name')).sort()).toEqual(['张伟', '李娜'].sort())
  })

  it('stops at a value sealed under a key the ring lacks, naming the key, and changes nothing more', async () => {
    const env = { NODE_ENV: 'test', DATABASE_URL: `file:${h.database.path}`, DATA_ENCRYPTION_KEY: NEW_KEY }
    const err: string[] = []
    expect(await runCli(['crypto:rotate-key'], { out: () => undefined, err: (l) => err.push(l) }, env)).toBe(1)
    expect(err.join('\n')).toMatch(/sealed under key dev-only-test, which the keyring does not hold.*add that key/)
    expect(await keysInUse()).toMatchObject({ enterprises: { [OLD_ID]: plainCity().enterprises.length } })
    expect(await runCli(['crypto:rotate-key', '--batch', '0'], { out: () => undefined, err: () => undefined }, env)).toBe(2)
  })

  it('on a demo install, uses the key the server uses (the demo state in the data directory), not the development key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sdp-demo-cli-'))
    try {
      copyFileSync(h.database.path, join(dir, 'platform.db'))
      const { state } = loadOrCreateDemoState(dir)
      const demoKeyId = parseDataKeyring(state.secrets.DATA_ENCRYPTION_KEY).current.id
      const out: string[] = []
      const err: string[] = []
      const env = { NODE_ENV: 'test', DEMO_MODE: 'true', DATABASE_URL: `file:${join(dir, 'platform.db')}` }
      // The copy is sealed under the development key, which the demo install does not hold: the CLI says so.
      expect(await runCli(['crypto:rotate-key'], { out: (l) => out.push(l), err: (l) => err.push(l) }, env)).toBe(1)
      expect(out.join('\n')).toContain(`Re-sealing under key ${demoKeyId} (keyring: ${demoKeyId})`)
      expect(err.join('\n')).toMatch(/sealed under key dev-only-test, which the keyring does not hold/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
