import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core'
import { runCli } from '#cli/platform.ts'
import { apiKeys, auditLog, partners, products, sessions, subscriptions, users } from '#db/schema/index.ts'
import { cliActor, type Actor } from '#platform/audit/record-audit.ts'
import { addCalendarMonths, DAY_MS, formatDay, fromLocal } from '#platform/calendar/shanghai-calendar.ts'
import { createAuditor, endAuditorAccess, extendAuditorTerm } from '#platform/identity/auditor-accounts.ts'
import { getSessionUser } from '#platform/identity/get-session-user.ts'
import { signIn } from '#platform/identity/sign-in.ts'
import { exportLogs, LOG_CSV_HEADER } from '#supervision/logs/export-logs.ts'
import { parseLogQuery } from '#supervision/logs/log-query.ts'
import { loadLogLabels, logPageSql, resolveCodes } from '#supervision/logs/read-log-page.ts'
import { searchLogs } from '#supervision/logs/search-logs.ts'
import { verifyAuditChainFor } from '#supervision/logs/verify-chain.ts'
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts'

const auditor: Actor = { id: null, label: 'auditor-test', role: 'auditor' }
const bureau: Actor = { id: null, label: 'bureau-test', role: 'bureau' }
/** 2026-10-01 00:00 Shanghai: the generated events start here, one a second. */
const BASE = fromLocal(2026, 10, 1)

interface Fixture {
  partnerId: string
  partnerName: string
  productId: string
  productName: string
  otherProductId: string
  subscriptionId: string
  keyId: string
}

async function fixture(t: TestDatabase): Promise<Fixture> {
  const [partner] = await t.db.select().from(partners).where(eq(partners.code, 'shengjing-tech'))
  const [product] = await t.db.select().from(products).where(eq(products.code, 'verify-enterprise-identity'))
  const [other] = await t.db.select().from(products).where(eq(products.code, 'road-traffic-flow'))
  const [sub] = await t.db.select().from(subscriptions).where(eq(subscriptions.partnerId, partner!.id))
  const [key] = await t.db.select().from(apiKeys).where(eq(apiKeys.partnerId, partner!.id))
  return {
    partnerId: partner!.id,
    partnerName: partner!.name,
    productId: product!.id,
    productName: product!.nameZh,
    otherProductId: other!.id,
    subscriptionId: sub!.id,
    keyId: key!.id,
  }
}

/**
 * `n` usage events in one statement, one a second from `start` (or `sameAt`: all at one instant, to test ties); every
 * third of another product, whose lineage names the tax dataset and unit instead.
 */
async function insertUsage(
  t: TestDatabase,
  f: Fixture,
  n: number,
  opts: { start?: number; sameAt?: number; prefix?: string; partnerId?: string } = {},
) {
  const start = opts.start ?? BASE
  const prefix = opts.prefix ?? 'ev'
  const step = opts.sameAt !== undefined ? 0 : 1000
  await t.db.run(sql`
    WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ${n})
    INSERT INTO usage_events (id, at, request_id, api_key_id, subscription_id, partner_id, product_id, purpose, operation,
      status, dataset_codes, source_unit_codes, authorization_codes, records)
    SELECT ${prefix} || '-' || i, ${opts.sameAt ?? start} + (i - 1) * ${step}, 'req_' || ${prefix} || printf('%08d', i),
      ${f.keyId}, ${f.subscriptionId}, ${opts.partnerId ?? f.partnerId},
      CASE WHEN i % 3 = 0 THEN ${f.otherProductId} ELSE ${f.productId} END, 'industrial', 'verifyEnterprise', 200,
      CASE WHEN i % 3 = 0 THEN 'DS-SW-0001' ELSE 'DS-SCJG-0001' END,
      CASE WHEN i % 3 = 0 THEN 'tax' ELSE 'market-regulation' END, 'SQ-TEST', 1
    FROM seq`)
}

describe('log search (supervision/logs, ADR 0026)', () => {
  let t: TestDatabase
  let f: Fixture
  beforeEach(async () => {
    t = await createTestDatabase()
    f = await fixture(t)
  })
  afterEach(() => t.destroy())

  it('filters usage by time (Shanghai days), partner, product, dataset, source unit and request id, with names', async () => {
    await insertUsage(t, f, 90)
    // One more the next Shanghai day (just after midnight), which a one-day range must leave out.
    await insertUsage(t, f, 1, { start: BASE + DAY_MS, prefix: 'next' })
    const day = formatDay(BASE)
    const search = (input: Record<string, string>) =>
      searchLogs(t.db, { actor: auditor, input: { kind: 'usage', from: day, to: day, ...input }, limit: 500 })

    const all = await search({})
    expect(all.ok && all.value.rows.length).toBe(90)
    const product = await search({ product: 'verify-enterprise-identity' })
    expect(product.ok && product.value.rows.length).toBe(60)
    expect(product.ok && product.value.rows.every((r) => r.product === f.productName)).toBe(true)
    const dataset = await search({ dataset: 'DS-SW-0001' })
    expect(dataset.ok && dataset.value.rows.length).toBe(30)
    expect(dataset.ok && dataset.value.rows[0]!.datasets).toBe('纳税信用等级')
    const unit = await search({ sourceUnit: 'market-regulation' })
    expect(unit.ok && unit.value.rows.length).toBe(60)
    expect(unit.ok && unit.value.rows[0]!.sourceUnits).toBe('沈阳市市场监督管理局')
    const partner = await search({ partner: 'shengjing-tech' })
    expect(partner.ok && partner.value.rows.length).toBe(90)
    expect(partner.ok && partner.value.rows[0]!.partner).toBe(f.partnerName)
    const none = await search({ partner: 'huimin-service' })
    expect(none.ok && none.value.rows.length).toBe(0)
    const one = await search({ requestId: 'req_ev00000007' })
    expect(one.ok && one.value.rows.map((r) => r.requestId)).toEqual(['req_ev00000007'])
    const twoDays = await searchLogs(t.db, {
      actor: auditor,
      input: { kind: 'usage', from: day, to: formatDay(BASE + DAY_MS) },
      limit: 500,
    })
    expect(twoDays.ok && twoDays.value.rows.length).toBe(91)
    // Newest first.
    expect(all.ok && all.value.rows[0]!.at).toBe(BASE + 89_000)
  })

  it('pages by keyset through ties: every row once, newest first, unaffected by rows appended meanwhile', async () => {
    await insertUsage(t, f, 70, { prefix: 'tie', sameAt: BASE + 5000 })
    await insertUsage(t, f, 55, { prefix: 'run' })
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page = await searchLogs(t.db, { actor: auditor, input: { kind: 'usage' }, cursor, limit: 20 })
      if (!page.ok) throw new Error(page.error.code)
      seen.push(...page.value.rows.map((r) => r.requestId))
      const times = page.value.rows.map((r) => r.at)
      expect([...times].sort((a, b) => b - a)).toEqual(times)
      cursor = page.value.nextCursor
      // Newer rows appended while paging belong before the first page, never inside the walk.
      if (pages === 1) await insertUsage(t, f, 5, { prefix: 'late', start: BASE + 10 * DAY_MS })
      pages++
    } while (cursor)
    const generated = seen.filter((r) => /^req_(tie|run)/.test(r))
    expect(generated).toHaveLength(125)
    expect(new Set(generated).size).toBe(125)
    expect(seen.some((r) => r.startsWith('req_late'))).toBe(false)
  })

  it('refuses filters a log does not carry, unknown codes, reversed ranges, bad cursors and hostile text with a code', async () => {
    const cases: [Record<string, string>, string | null, Record<string, string>][] = [
      [{ kind: 'loads', partner: 'shengjing-tech' }, null, { partner: 'not_applicable' }],
      [{ kind: 'usage', partner: 'no-such-partner' }, null, { partner: 'unknown' }],
      [{ kind: 'usage', from: '2026-10-02', to: '2026-10-01' }, null, { to: 'range_reversed' }],
      [{ kind: 'usage', from: '2026-02-31' }, null, { from: 'invalid_date' }],
      [{ kind: 'usage' }, 'zz..%%', { cursor: 'invalid_cursor' }],
      [{ kind: 'audit', text: 'a\u0000b' }, null, { text: 'invalid' }],
      [{ kind: 'usage', requestId: "' OR 1=1 --" }, null, { requestId: 'invalid' }],
      [{ kind: 'nope' }, null, { kind: 'invalid' }],
    ]
    const tail = async () => (await t.db.all<{ n: number }>(sql`SELECT max(seq) AS n FROM audit_log`))[0]!.n
    for (const [input, cursor, fields] of cases) {
      const before = await tail()
      const result = await searchLogs(t.db, { actor: auditor, input, cursor })
      expect(result.ok, JSON.stringify(input)).toBe(false)
      if (!result.ok) {
        expect(result.error.kind).toBe('validation')
        expect(result.error.fields).toMatchObject(fields)
      }
      expect(await tail(), 'a refused search is not a read').toBe(before)
    }
    // A LIKE wildcard in the words is a character, not a pattern.
    const literal = await searchLogs(t.db, { actor: auditor, input: { kind: 'audit', text: '%' } })
    expect(literal.ok && literal.value.rows.every((r) => JSON.stringify(r).includes('%'))).toBe(true)
  })

  it('the main filters read through an index (EXPLAIN QUERY PLAN), and time-ordered pages need no sort', async () => {
    const labels = await loadLogLabels(t.db, 'zh')
    const planOf = async (input: Record<string, string>, cursor = { at: BASE, rowid: 10 }) => {
      const q = parseLogQuery(input)
      if (!q.ok) throw new Error(q.error.code)
      const ids = resolveCodes(q.value, labels)
      if (!ids.ok) throw new Error(ids.error.code)
      const query = new SQLiteAsyncDialect().sqlToQuery(logPageSql(q.value.kind, q.value, ids.value, cursor, 50))
      const rows = await t.client.execute({ sql: `EXPLAIN QUERY PLAN ${query.sql}`, args: query.params as never[] })
      return rows.rows.map((r) => String(r.detail)).join(' | ')
    }
    const range = { from: '2026-10-01', to: '2026-10-31' }
    const expectations: [Record<string, string>, RegExp][] = [
      // usage_events is a view over usage_event_log (ADR 0047): its indexes answer.
      [{ kind: 'usage', ...range }, /usage_event_log_at_idx/],
      [{ kind: 'usage', partner: 'shengjing-tech', ...range }, /usage_event_log_(ctx_)?at_idx/],
      [{ kind: 'usage', product: 'verify-enterprise-identity', ...range }, /usage_event_log_(ctx_)?at_idx/],
      [{ kind: 'usage', requestId: 'req_x' }, /usage_event_log_request_idx/],
      [{ kind: 'usage', requestId: `req_${'0a'.repeat(16)}` }, /usage_event_log_request_idx/],
      [{ kind: 'refusals', ...range }, /rejected_calls_at_idx/],
      [{ kind: 'refusals', requestId: 'req_x' }, /rejected_calls_request_idx/],
      [{ kind: 'audit', ...range }, /audit_log_at_idx/],
      [{ kind: 'audit', requestId: 'req_x' }, /audit_log_request_idx/],
      [{ kind: 'audit', partner: 'shengjing-tech' }, /audit_log_object_idx/],
      [{ kind: 'loads', ...range }, /dataset_loads_(started|dataset)_idx/],
      [{ kind: 'loads', dataset: 'DS-SCJG-0001' }, /dataset_loads_dataset_idx/],
      [{ kind: 'exports', ...range }, /report_exports_(created|partner|product)_idx/],
      [{ kind: 'exports', product: 'district-economy-report' }, /report_exports_product_idx/],
    ]
    for (const [input, index] of expectations) {
      const plan = await planOf(input)
      expect(plan, JSON.stringify(input)).toMatch(index)
      expect(plan, `${JSON.stringify(input)}: a full scan`).not.toMatch(/\bSCAN (u|r|a|l|e)\b(?! USING)/)
    }
    // The newest-first walk follows the index order: no sort of the matching rows on any page.
    for (const input of [{ kind: 'usage' }, { kind: 'usage', partner: 'shengjing-tech' }, { kind: 'audit' }] as Record<
      string,
      string
    >[]) {
      expect(await planOf(input), JSON.stringify(input)).not.toMatch(/TEMP B-TREE/)
    }
  })

  it('audits every read (search, export, chain check) with its filters and never the rows', async () => {
    await insertUsage(t, f, 3)
    const searched = await searchLogs(t.db, {
      actor: auditor,
      input: { kind: 'usage', partner: 'shengjing-tech', from: '2026-10-01' },
      requestId: 'req_read1',
    })
    expect(searched.ok).toBe(true)
    const exported = await exportLogs(t.db, { actor: auditor, input: { kind: 'usage' }, requestId: 'req_read2' })
    expect(exported.ok).toBe(true)
    if (exported.ok) await new Response(exported.value.stream).text()
    const verified = await verifyAuditChainFor(t.db, { actor: auditor, requestId: 'req_read3' })
    expect(verified.ok && verified.value.ok).toBe(true)
    const entries = await t.db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.requestId} IN ('req_read1', 'req_read2', 'req_read3')`)
    expect(entries.map((e) => [e.action, e.role, e.objectId])).toEqual([
      ['logs.search', 'auditor', 'usage'],
      ['logs.export', 'auditor', 'usage'],
      ['audit_chain.verify', 'auditor', null],
    ])
    expect(JSON.parse(entries[0]!.detail!)).toEqual({
      filters: { kind: 'usage', from: '2026-10-01', partner: 'shengjing-tech' },
      page: 'first',
      rows: 3,
    })
    expect(JSON.stringify(entries)).not.toContain('req_ev')
    // The audit log names the read in the trail, by name.
    const trail = await searchLogs(t.db, { actor: bureau, input: { kind: 'audit', requestId: 'req_read1' } })
    expect(trail.ok && trail.value.rows[0]).toMatchObject({ event: 'logs.search', actor: 'auditor-test', status: 'auditor' })
    // Another role may not read the logs at all.
    const partnerActor: Actor = { id: null, label: 'p', role: 'partner_admin', partnerId: f.partnerId }
    expect((await searchLogs(t.db, { actor: partnerActor, input: {} })).ok).toBe(false)
  })

  it('shows the audit trail with names: the actor, the object and the reason', async () => {
    const [admin] = await t.db.select().from(users).where(eq(users.username, 'bureau'))
    const suspended = await searchLogs(t.db, { actor: bureau, input: { kind: 'audit', text: 'user.create' }, limit: 500 })
    expect(suspended.ok).toBe(true)
    if (!suspended.ok) return
    const created = suspended.value.rows.find((r) => r.object.includes(admin!.displayName))
    expect(created, 'the bureau user named as the object').toBeDefined()
    expect(created!.object).toBe(`user ${admin!.displayName}（bureau）`)
    expect(created!.detail).toContain('username: bureau')
  })

  it('streams the CSV: header, one line per row, formula-safe cells, read as it is consumed (50,000 rows)', async () => {
    // A partner name a spreadsheet would run as a formula.
    await t.db.update(partners).set({ name: '=HYPERLINK("http://evil","x")' }).where(eq(partners.id, f.partnerId))
    await insertUsage(t, f, 50_000)
    let pagesRead = 0
    const result = await exportLogs(t.db, {
      actor: auditor,
      input: { kind: 'usage' },
      onPage: (n) => {
        pagesRead = n
      },
    })
    if (!result.ok) throw new Error(result.error.code)
    const reader = result.value.stream.getReader()
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true })
    const first = await reader.read()
    const second = await reader.read()
    // Two chunks taken (the header and one page): at most one page more was read ahead, not the 50 of the whole log.
    expect(pagesRead).toBeLessThanOrEqual(2)
    let text = decoder.decode(first.value) + decoder.decode(second.value, { stream: true })
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
    }
    expect(pagesRead).toBeGreaterThanOrEqual(50)
    expect(text.startsWith('\uFEFF' + LOG_CSV_HEADER.join(',') + '\r\n')).toBe(true)
    const lines = text
      .slice(1)
      .split('\r\n')
      .filter((l) => l !== '')
    const seeded = lines.filter((l) => l.includes('req_ev'))
    expect(seeded).toHaveLength(50_000)
    expect(lines[0]).toBe('kind,time,request_id,event,status,actor,partner,product,datasets,source_units,object,detail,quantity')
    expect(seeded[0]).toContain(`"'=HYPERLINK(""http://evil"",""x"")"`)
    expect(text).not.toMatch(/,=HYPERLINK/)
  })

  it('logs:export writes CSV or NDJSON to stdout, and refuses bad options with --json errors', async () => {
    await insertUsage(t, f, 1200)
    const run = async (...argv: string[]) => {
      const out: string[] = []
      const err: string[] = []
      const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, { DATABASE_URL: `file:${t.path}` })
      return { code, out, err: err.join('\n') }
    }
    const csv = await run('logs:export', '--kind', 'usage', '--from', '2026-10-01', '--to', '2026-10-01')
    expect(csv.code).toBe(0)
    expect(csv.out[0]).toBe('\uFEFF' + LOG_CSV_HEADER.join(','))
    expect(csv.out.length).toBe(1 + 1200)
    const json = await run('logs:export', '--kind', 'usage', '--from', '2026-10-01', '--to', '2026-10-01', '--format', 'json')
    expect(json.code).toBe(0)
    expect(json.out).toHaveLength(1200)
    expect(JSON.parse(json.out[0]!)).toMatchObject({ kind: 'usage', requestId: 'req_ev00001200', partner: f.partnerName })
    const bad = await run('logs:export', '--kind', 'loads', '--partner', 'shengjing-tech', '--json')
    expect(bad.code).toBe(1)
    expect(JSON.parse(bad.err)).toEqual({
      error: { code: 'validation_failed', message: 'Invalid log search', fields: { partner: 'not_applicable' } },
    })
    const badFormat = await run('logs:export', '--kind', 'usage', '--format', 'xml', '--json')
    expect(badFormat.code).toBe(1)
    expect(JSON.parse(badFormat.err).error.fields).toEqual({ format: 'invalid' })
    const audit = await run('logs:export', '--kind', 'audit', '--format', 'json')
    expect(audit.out.some((l) => JSON.parse(l).event === 'logs.export')).toBe(true)
  })
})

describe('auditor accounts (fixed term, ADR 0026)', () => {
  let t: TestDatabase
  beforeEach(async () => {
    t = await createTestDatabase()
  })
  afterEach(() => t.destroy())

  const now = fromLocal(2026, 11, 30, 10)

  it('creates an auditor for at most a year; refuses a past or longer term, and a second account of the name', async () => {
    const input = {
      username: 'auditor.li',
      displayName: '李审计',
      organization: '某会计师事务所',
      termEndsOn: formatDay(addCalendarMonths(now, 12)),
    }
    const created = await createAuditor(t.db, { actor: bureau, now, input })
    expect(created.ok).toBe(true)
    const [row] = await t.db.select().from(users).where(eq(users.username, 'auditor.li'))
    expect(row).toMatchObject({ role: 'auditor', organization: '某会计师事务所', mustChangePassword: true })
    expect(row!.accessExpiresAt).toBe(fromLocal(2027, 12, 1))
    const tooLong = await createAuditor(t.db, {
      actor: bureau,
      now,
      input: { ...input, username: 'a.b', termEndsOn: '2027-12-01' },
    })
    expect(!tooLong.ok && tooLong.error.code).toBe('term_too_long')
    const past = await createAuditor(t.db, { actor: bureau, now, input: { ...input, username: 'a.c', termEndsOn: '2026-11-29' } })
    expect(!past.ok && past.error.code).toBe('term_in_past')
    const taken = await createAuditor(t.db, { actor: bureau, now, input })
    expect(!taken.ok && taken.error.code).toBe('username_taken')
    const byOperator = await createAuditor(t.db, {
      actor: { id: null, label: 'o', role: 'operator' },
      now,
      input: { ...input, username: 'a.d' },
    })
    expect(!byOperator.ok && byOperator.error.kind).toBe('forbidden')
  })

  it('an expired auditor cannot sign in, and an open session is refused from the instant the term ends', async () => {
    const created = await createAuditor(t.db, {
      actor: cliActor(),
      now,
      input: { username: 'auditor.wang', displayName: '王审计', organization: '某事务所', termEndsOn: formatDay(now) },
    })
    if (!created.ok) throw new Error(created.error.code)
    const password = created.value.initialPassword
    const end = fromLocal(2026, 12, 1)
    const session = await signIn(t.db, { username: 'auditor.wang', password, now: end - 60_000 })
    if (!session.ok) throw new Error(session.error.code)
    expect((await getSessionUser(t.db, { token: session.value.token, now: end - 1000 })).state).toBe('active')
    // The term ends at the midnight after its last day: the open session is refused and ended.
    expect((await getSessionUser(t.db, { token: session.value.token, now: end })).state).toBe('access_expired')
    const [ended] = await t.db.select().from(sessions).where(eq(sessions.userId, created.value.id))
    expect(ended!.endedAt).toBe(end)
    // The right password no longer signs in; a wrong one reads as any wrong password (nothing learnt by guessing).
    const refused = await signIn(t.db, { username: 'auditor.wang', password, now: end + 1000 })
    expect(!refused.ok && refused.error.code).toBe('account_expired')
    const wrong = await signIn(t.db, { username: 'auditor.wang', password: 'Wrong-Password-123', now: end + 2000 })
    expect(!wrong.ok && wrong.error.code).toBe('invalid_credentials')
    // Extended, it signs in again; ended, its sessions end at once.
    const extended = await extendAuditorTerm(t.db, {
      actor: bureau,
      username: 'auditor.wang',
      termEndsOn: '2027-01-31',
      now: end + 3000,
    })
    expect(extended.ok).toBe(true)
    const again = await signIn(t.db, { username: 'auditor.wang', password, now: end + 4000 })
    if (!again.ok) throw new Error(again.error.code)
    const stopped = await endAuditorAccess(t.db, { actor: bureau, username: 'auditor.wang', reason: '项目结束', now: end + 5000 })
    expect(stopped.ok).toBe(true)
    expect((await getSessionUser(t.db, { token: again.value.token, now: end + 6000 })).state).toBe('none')
    const actions = await t.db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.objectId, created.value.id))
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining(['user.create', 'auth.sign_in', 'auth.sign_in_refused_expired', 'auditor.extend', 'auditor.end']),
    )
    const notAuditor = await extendAuditorTerm(t.db, { actor: bureau, username: 'operator', termEndsOn: '2027-01-31', now: end })
    expect(!notAuditor.ok && notAuditor.error.code).toBe('not_an_auditor')
  })

  it('the demo auditor is seeded for one year from the seed, with its organisation', async () => {
    const [demo] = await t.db.select().from(users).where(eq(users.username, 'auditor'))
    expect(demo).toMatchObject({ role: 'auditor', organization: '辽宁致诚会计师事务所' })
    const created = demo!.createdAt
    expect(demo!.accessExpiresAt).toBeGreaterThan(addCalendarMonths(created, 12) - DAY_MS)
    expect(demo!.accessExpiresAt).toBeLessThanOrEqual(addCalendarMonths(created, 12) + DAY_MS)
  })
})
