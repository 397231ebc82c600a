import { existsSync, readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { cityEnterprises, datasetRecords } from '#db/schema/index.ts'
import { loadDatasetFile } from '#catalog/datasets/load-dataset-file.ts'
import { makeIdCard } from '#platform/codes/id-card.ts'
import { getDataKeyring } from '#platform/crypto/data-keyring.ts'
import { isSealedValue, openValue } from '#platform/crypto/sealed-value.ts'
import { callGateway } from '#test/support/openapi.ts'
import { demoApiKey, startGateway, type GatewayHarness } from '#test/support/gateway-server.ts'
import { plainCity } from '#test/support/plain-city.ts'
import { actorOf, authorizeThroughDemand, registerTestDataset, unwrap } from './catalog-fixtures.ts'

// Issue 9, "the store holds no personal field in clear": the database file's bytes — after a checkpoint has folded
// the WAL into it — are searched for every seeded ID number and phone number, and for the representatives' and insured
// persons' names, as the seed generator made them (never read back from the database), and for the personal fields
// of files loaded through intake, into the generic store and into the registry.

/** Every place `values` occur in `bytes`: digit strings through their digit runs, other text as UTF-8 substrings. */
function foundInClear(bytes: Buffer, values: Iterable<string>): string[] {
  const wanted = new Set(values)
  const found = new Set<string>()
  const ascii = bytes.toString('latin1')
  for (const run of ascii.match(/[\dX]{11,}/g) ?? []) {
    for (const length of [11, 18]) {
      for (let at = 0; at + length <= run.length; at++) {
        const window = run.slice(at, at + length)
        if (wanted.has(window)) found.add(window)
      }
    }
  }
  // Names: every 2- to 4-character window of the CJK text in the file.
  const windows = new Set<string>()
  for (const run of bytes.toString('utf8').match(/[\u3400-\u9fff·]{2,}/g) ?? []) {
    const chars = [...run]
    for (let length = 2; length <= 4; length++)
      for (let at = 0; at + length <= chars.length; at++) windows.add(chars.slice(at, at + length).join(''))
  }
  for (const value of wanted) if (!/^[\dX]+$/.test(value) && windows.has(value)) found.add(value)
  return [...found]
}

/** The file as it is on disk, once every write is in it. */
async function checkpointedBytes(h: GatewayHarness): Promise<Buffer> {
  const checkpoint = await h.database.client.execute('PRAGMA wal_checkpoint(TRUNCATE)')
  expect(Number(checkpoint.rows[0]?.[0]), 'checkpoint not blocked').toBe(0)
  const wal = `${h.database.path}-wal`
  const walBytes = existsSync(wal) ? readFileSync(wal) : Buffer.alloc(0)
  expect(walBytes.length, 'the WAL is folded into the file').toBe(0)
  return readFileSync(h.database.path)
}

describe('personal data at rest is sealed (SM4)', () => {
  let h: GatewayHarness
  beforeEach(async () => {
    h = await startGateway()
  })
  afterEach(() => h.stop())

  const registerPeople = async () => {
    const db = h.database.db
    const people = await registerTestDataset(db, {
      fields: [
        { name: 'id_card', labelZh: '身份证号', type: 'string', required: true, piTag: 'id_card' },
        { name: 'name', labelZh: '姓名', type: 'string', required: true, piTag: 'name' },
        { name: 'phone', labelZh: '手机号', type: 'string', piTag: 'phone' },
        { name: 'note', labelZh: '备注', type: 'string' },
      ],
    })
    await authorizeThroughDemand(db, { datasetCode: people.code, granter: await actorOf(db, 'scjg') })
    return people
  }

  it('finds values in clear wherever they are: the scan itself', () => {
    const bytes = Buffer.from('..\u0001210102199001011234\u0002..13912345678 沈阳欧阳娜娜公司', 'utf8')
    expect(foundInClear(bytes, ['210102199001011234', '13912345678', '欧阳娜娜', '12345678901', '司马相如'])).toEqual([
      '210102199001011234',
      '13912345678',
      '欧阳娜娜',
    ])
  })

  it('the seeded store and a loaded file hold no ID number, phone number or person’s name in clear', async () => {
    const db = h.database.db
    const city = plainCity()
    // Intake into the generic store: three fields tagged personal, and one that is not.
    const people = await registerPeople()
    const loaded = [
      { id: makeIdCard({ divisionCode: '210103', birth: '19880512', sequence3: 417 }), name: '欧阳娜娜', phone: '13712345098' },
      { id: makeIdCard({ divisionCode: '210106', birth: '19791130', sequence3: 52 }), name: '司马相如', phone: '18698765012' },
    ]
    // Enough rows (> 64 KiB) that the file is scanned, and its personal fields sealed, in the intake worker thread.
    const more = Array.from({ length: 1500 }, (_, i) => ({
      id: makeIdCard({ divisionCode: '210112', birth: `19${50 + (i % 50)}0${1 + (i % 9)}1${i % 10}`, sequence3: i % 1000 }),
      name: `令狐${'冲盈岳灵珊平之'[i % 7]}${'甲乙丙丁戊己庚'[i % 7]}`,
      phone: `1505${String(1_000_000 + i).padStart(7, '0')}`,
    }))
    const csv = [
      'id_card,name,phone,note',
      ...loaded.map((p, i) => `${p.id},${p.name},${p.phone},备注第${i + 1}号 1370000111${i}`),
      ...more.map((p) => `${p.id},${p.name},${p.phone},`),
    ]
    expect(Buffer.byteLength(csv.join('\n'))).toBeGreaterThan(64 * 1024)
    const outcome = unwrap(
      await loadDatasetFile(db, {
        actor: await actorOf(db, 'operator'),
        datasetCode: people.code,
        fileName: 'people.csv',
        content: csv.join('\n'),
      }),
    )
    expect(outcome).toMatchObject({ state: 'succeeded', rowsLoaded: 2 + more.length })
    loaded.push(...more)
    const [record] = await db.select().from(datasetRecords).where(eq(datasetRecords.datasetId, people.id)).limit(1)
    const json = JSON.parse(record!.data) as Record<string, string>
    expect([json.id_card, json.name, json.phone].every(isSealedValue)).toBe(true)
    expect(json.note).toBe('备注第1号 13700001110')

    const bytes = await checkpointedBytes(h)

    const idNumbers = [...city.enterprises.map((e) => e.legalRepIdCard), ...city.socialSecurity.map((p) => p.idCard)]
    const phones = city.enterprises.map((e) => e.legalRepPhone)
    expect(new Set(idNumbers).size).toBe(city.enterprises.length + new Set(city.socialSecurity.map((p) => p.idCard)).size)
    expect(foundInClear(bytes, [...idNumbers, ...loaded.map((p) => p.id)])).toEqual([])
    expect(foundInClear(bytes, [...phones, ...loaded.map((p) => p.phone)])).toEqual([])
    // Names of three characters or more that are not part of a company's name or address (public registry data).
    const publicText = city.enterprises.map((e) => `${e.name}${e.address}`).join('\n')
    const names = [
      ...city.enterprises.map((e) => e.legalRepName),
      ...city.socialSecurity.map((p) => p.personName),
      ...loaded.map((p) => p.name),
    ].filter((n) => [...n].length >= 3 && !publicText.includes(n))
    expect(names.length).toBeGreaterThan(1000)
    expect(foundInClear(bytes, names)).toEqual([])

    // What is stored in clear is found: the untagged field (digits and text) and the registry's public names.
    const enterpriseName = city.enterprises[10]!.name
    expect(foundInClear(bytes, ['13700001110', '备注第', enterpriseName.slice(-4)]).sort()).toEqual(
      ['13700001110', '备注第', enterpriseName.slice(-4)].sort(),
    )
  })

  it('a registry file load seals the legal representative, and the check still finds them by the blind indexes', async () => {
    const db = h.database.db
    const scjg = await actorOf(db, 'scjg')
    await authorizeThroughDemand(db, { datasetCode: 'DS-SCJG-0001', granter: scjg })
    const registry = plainCity()
      .enterprises.slice(0, 3)
      .map((e, i) => ({
        ...e,
        legalRepName: ['皇甫嵩嵩', '诸葛亮亮', '上官婉儿'][i]!,
        legalRepIdCard: makeIdCard({ divisionCode: '210102', birth: `1970010${i + 1}`, sequence3: 300 + i }),
        legalRepPhone: `1390000${String(4321 + i)}`,
      }))
    const header =
      'uscc,name,legal_rep_name,legal_rep_id_card,legal_rep_phone,registered_capital_wan,industry,district_code,status,founded_on,address'
    const lines = registry.map((e) =>
      [
        e.uscc,
        e.name,
        e.legalRepName,
        e.legalRepIdCard,
        e.legalRepPhone,
        e.registeredCapitalWan,
        e.industry,
        e.districtCode,
        e.status,
        e.foundedOn,
        e.address,
      ].join(','),
    )
    const outcome = unwrap(
      await loadDatasetFile(db, {
        actor: await actorOf(db, 'operator'),
        datasetCode: 'DS-SCJG-0001',
        fileName: 'registry.csv',
        content: [header, ...lines].join('\n'),
      }),
    )
    expect(outcome).toMatchObject({ state: 'succeeded', rowsLoaded: 3 })
    for (const e of registry) {
      const check = await callGateway(h.baseUrl, 'POST', '/api/v1/verifications/legal-representative', {
        demoKey: demoApiKey,
        body: { uscc: e.uscc, personName: e.legalRepName, idNumber: e.legalRepIdCard },
      })
      expect(check.body).toEqual({ match: true })
    }
    const [stored] = await db.select().from(cityEnterprises).where(eq(cityEnterprises.uscc, registry[0]!.uscc))
    expect(openValue(getDataKeyring(), stored!.legalRepPhone, 'city_enterprises.legal_rep_phone')).toBe(
      registry[0]!.legalRepPhone,
    )

    const bytes = await checkpointedBytes(h)
    const values = registry.flatMap((e) => [e.legalRepIdCard, e.legalRepPhone, e.legalRepName])
    expect(foundInClear(bytes, values)).toEqual([])
    expect(foundInClear(bytes, [registry[0]!.name.slice(-4)])).toHaveLength(1)
  })
})
