import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { count } from 'drizzle-orm'
import { auditLog, logRetentionPolicies } from '#db/schema/index.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { postForm, signInUi, type UiSession } from '#test/support/ui-session.ts'

// The bureau's /bureau/retention (ADR 0027), over HTTP without a browser: the policy form, a counted purge, hostile
// values refused with field errors, another role refused. Needs `npx remix build` first.

describe('/bureau/retention', () => {
  let platform: PlatformHarness
  let bureau: UiSession
  let operator: UiSession
  beforeAll(async () => {
    platform = await startPlatform()
    bureau = await signInUi(platform.url, 'bureau')
    operator = await signInUi(platform.url, 'operator')
  })
  afterAll(() => platform?.stop())

  const policies = async () => (await platform.database.db.select({ n: count() }).from(logRetentionPolicies))[0]!.n
  const audits = async () => (await platform.database.db.select({ n: count() }).from(auditLog))[0]!.n
  const page = async (session: UiSession, path = '/bureau/retention') =>
    fetch(new URL(path, platform.url), { headers: { cookie: session.cookie }, redirect: 'manual' })

  it('shows every log kind with its policy and the legal horizon', async () => {
    const res = await page(bureau)
    expect(res.status).toBe(200)
    const html = await res.text()
    for (const kind of ['usage', 'refusals', 'loads', 'demand_transitions', 'feed'])
      expect(html).toContain(`data-testid="retention-${kind}"`)
    expect(html).toContain('日志留存')
    // The demo's policies (seed/seed-retention-demo.ts): usage 36 months, refusals 12; loads none.
    expect(html).toMatch(/data-testid="retention-usage".*?data-testid="keep-months">36</s)
    expect(html).toMatch(/data-testid="retention-loads".*?data-testid="keep-months">未设定/s)
  })

  it('refuses a policy under 6 months, a fraction, a foreign kind — with the field error, changing nothing', async () => {
    const before = { policies: await policies(), audits: await audits() }
    for (const [kind, keepMonths, field] of [
      ['usage', '5', '日志至少保留 6 个月'],
      ['usage', '6.5', '保留月数须为整数'],
      ['usage', 'many', '保留月数须为整数'],
      ['audit', '12', null],
      ['usage', '99999999999999999999', '保留月数须为整数'],
    ] as const) {
      const res = await postForm(platform.url, bureau, '/bureau/retention', { intent: 'setPolicy', kind, keepMonths })
      expect(res.status, `${kind} ${keepMonths}`).toBe(400)
      if (field) expect(await res.text()).toContain(field)
    }
    expect({ policies: await policies(), audits: await audits() }).toEqual(before)
  })

  it('sets a policy (audited) and counts what a purge would delete', async () => {
    const set = await postForm(platform.url, bureau, '/bureau/retention', {
      intent: 'setPolicy',
      kind: 'usage',
      keepMonths: '24',
      note: '市数据局 2026 年 12 号文',
    })
    expect(set.status).toBe(302)
    expect(set.headers.get('location')).toBe('/bureau/retention?saved=usage')
    const html = await (await page(bureau, '/bureau/retention?saved=usage')).text()
    expect(html).toContain('市数据局 2026 年 12 号文')
    const dry = await postForm(platform.url, bureau, '/bureau/retention', { intent: 'purge', kind: 'usage', dryRun: 'on' })
    expect(dry.status).toBe(302)
    expect(dry.headers.get('location')).toMatch(
      /^\/bureau\/retention\?purged=usage&rows=0&months=24&day=\d{4}-\d{2}-\d{2}&dry=1$/,
    )
    // A kind without a policy cannot be purged: the refusal reads above the form.
    const none = await postForm(platform.url, bureau, '/bureau/retention', { intent: 'purge', kind: 'loads', dryRun: 'on' })
    expect(none.status).toBe(409)
    expect(await none.text()).toContain('尚未为该类日志设定留存策略')
  })

  it('is the bureau’s only: another role gets 403 and changes nothing', async () => {
    expect((await page(operator)).status).toBe(403)
    const before = { policies: await policies(), audits: await audits() }
    const res = await postForm(platform.url, operator, '/bureau/retention', {
      intent: 'setPolicy',
      kind: 'usage',
      keepMonths: '6',
    })
    expect(res.status).toBe(403)
    expect({ policies: await policies(), audits: await audits() }).toEqual(before)
  })
})
