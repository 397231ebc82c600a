import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { count, eq } from 'drizzle-orm'
import { datasetGradings, datasets } from '#db/schema/index.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { postForm, signInUi, type UiSession } from '#test/support/ui-session.ts'

// The source unit's grading form over HTTP (ADR 0037): hostile posts answer 4xx with the error beside the field, another
// unit's dataset is 404, other roles are refused, and nothing is written. Needs `remix build`.
describe('the grading form over HTTP', () => {
  let platform: PlatformHarness
  const sessions: Record<string, UiSession> = {}
  const serverLog: string[] = []
  const PATH = '/source-unit/datasets/DS-SCJG-0001'

  beforeAll(async () => {
    platform = await startPlatform({ log: (line) => serverLog.push(line) })
    for (const user of ['scjg', 'operator', 'bureau']) sessions[user] = await signInUi(platform.url, user)
  }, 120_000)
  afterAll(async () => {
    await platform?.stop()
    expect(serverLog.filter((line) => /internal error/i.test(line))).toEqual([])
  })

  const gradings = async () => (await platform.database.db.select({ n: count() }).from(datasetGradings))[0]!.n
  const level = async () =>
    (await platform.database.db.select({ level: datasets.level }).from(datasets).where(eq(datasets.code, 'DS-SCJG-0001')))[0]!
      .level

  it('refuses hostile input beside the field, and writes nothing', async () => {
    const before = await gradings()
    // `null`: refused by readForm before the action (control characters), with no field to show.
    const cases: [Record<string, string> | [string, string][], number, Record<string, string> | null][] = [
      [{ level: 'L1', usageRequirements: '仅限内部' }, 400, { level: 'personal_data_below_l2' }],
      [{ level: 'L3', usageRequirements: '' }, 400, { usageRequirements: 'required' }],
      [{ level: 'L3', usageRequirements: '要'.repeat(2001) }, 400, { usageRequirements: 'too_long' }],
      [{ level: 'L3', usageRequirements: 'a\u0007b' }, 400, null],
      [{ level: '<img src=x onerror=alert(1)>', usageRequirements: '仅限内部' }, 400, { level: 'invalid' }],
      [{ level: 'L9', usageRequirements: '仅限内部' }, 400, { level: 'invalid' }],
      [{ usageRequirements: '仅限内部' }, 400, { level: 'required' }],
      [
        [
          ['level', 'L3'],
          ['level', 'L1'],
          ['usageRequirements', '仅限内部'],
        ],
        400,
        { level: 'personal_data_below_l2' },
      ],
    ]
    for (const [fields, status, errors] of cases) {
      // The action's own answer (as the page's fetch gets it), not the page rendered around it.
      const res = await postForm(
        platform.url,
        sessions.scjg!,
        `${PATH}?_data=${encodeURIComponent('routes/source-unit.datasets.$code')}`,
        fields,
      )
      const reply = (await res.json().catch(() => null)) as { fields?: Record<string, string> } | null
      expect(res.status, JSON.stringify(fields).slice(0, 80)).toBe(status)
      if (errors) expect(reply?.fields, JSON.stringify(reply)).toMatchObject(errors)
    }
    expect(await gradings()).toBe(before)
    expect(await level()).toBe('L2')
  })

  it('the operator proposes on its dataset page: the floor beside the level; a proposal changes nothing in force', async () => {
    const path = '/operator/datasets/DS-SCJG-0001'
    const data = `?_data=${encodeURIComponent('routes/operator.datasets.$code')}`
    const floor = await postForm(platform.url, sessions.operator!, path + data, { intent: 'propose', level: 'L1', note: '' })
    expect(floor.status).toBe(400)
    expect(await floor.json()).toMatchObject({ target: 'propose', fields: { level: 'personal_data_below_l2' } })
    const long = await postForm(platform.url, sessions.operator!, path + data, {
      intent: 'propose',
      level: 'L3',
      note: 'x'.repeat(501),
    })
    expect(long.status).toBe(400)
    expect(await long.json()).toMatchObject({ target: 'propose', fields: { note: 'too_long' } })
    const proposed = await postForm(platform.url, sessions.operator!, path, { intent: 'propose', level: 'L4', note: '建议提高' })
    expect(proposed.status).toBe(302)
    expect(await level()).toBe('L2')
    // The source unit may not propose.
    const unit = await postForm(platform.url, sessions.scjg!, path, { intent: 'propose', level: 'L3' })
    expect([302, 403]).toContain(unit.status)
  })

  it('another unit’s dataset is not found; other roles and a post without the token are refused', async () => {
    const before = await gradings()
    const other = await postForm(platform.url, sessions.scjg!, '/source-unit/datasets/DS-SW-0001', {
      level: 'L4',
      usageRequirements: '仅限内部',
    })
    expect(other.status).toBe(404)
    expect(
      (await fetch(`${platform.url}/source-unit/datasets/DS-SW-0001`, { headers: { cookie: sessions.scjg!.cookie } })).status,
    ).toBe(404)
    for (const who of ['operator', 'bureau']) {
      const res = await postForm(platform.url, sessions[who]!, PATH, { level: 'L3', usageRequirements: '仅限内部' })
      expect([302, 403], who).toContain(res.status)
    }
    const noToken = await postForm(platform.url, sessions.scjg!, PATH, { level: 'L3', usageRequirements: '仅限内部', _csrf: '' })
    expect(noToken.status).toBe(403)
    expect(await gradings()).toBe(before)

    // The real thing, for contrast.
    const done = await postForm(platform.url, sessions.scjg!, PATH, { level: 'L3', usageRequirements: '明细不出域' })
    expect(done.status).toBe(302)
    expect(done.headers.get('location')).toContain('suspended=enterprise-credit-profile')
    expect(await level()).toBe('L3')
  })
})
