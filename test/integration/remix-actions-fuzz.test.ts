import { connect } from 'node:net'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Role } from '#db/schema/identity.ts'
import { DEMO_USERS } from '#seed/platform-fixtures.ts'
import { demoPassword } from '#test/support/demo-credentials.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { openUiSession, postForm, signInUi, type UiSession } from '#test/support/ui-session.ts'
import { discoverActionRoutes, discoverLoaderRoutes, fillPath, type ActionRoute } from '#test/support/remix-action-routes.ts'

/**
 * Every Remix action (found from app/routes, so a new route is covered without being listed) receives generated
 * hostile posts, anonymously, as a role it admits and as a role it does not: JSON, text and multipart bodies,
 * urlencoded forms with control characters, prototype names, malformed escapes, huge values and duplicate keys,
 * malformed or foreign Origin headers, malformed percent-encoding in the query and in path params, over the document
 * and the single-fetch (`.data`) endpoints. Each answer must come within the timeout, on a connection that was not
 * dropped, never 5xx; a refusal (4xx, or a post without the right role) must leave the audit log as it was, the
 * failed sign-ins the audit log records by design aside. Replay a failure: FUZZ_SEED=<seed printed below>.
 */

const FIXED_SEED = 20_261_130
const FRESH_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31
const RUNS = Number(process.env.FUZZ_RUNS ?? 24)
const LOADER_RUNS = Math.max(1, Math.round(RUNS / 3))
const REQUEST_TIMEOUT_MS = 10_000
/** Refusals the audit log records on purpose: a failed sign-in is evidence (Art. 13), not a change. */
const AUDITED_REFUSALS = new Set([
  'auth.sign_in_failed',
  'auth.account_locked',
  'auth.sign_in_refused_locked',
  'auth.sign_in_throttled',
  'auth.second_factor_failed',
  'auth.step_up_failed',
  'auth.password_change_failed',
  'auth.two_factor_enrolment_failed',
])

type Identity = 'anonymous' | 'allowed' | 'other'

interface HostileRequest {
  label: string
  identity: Identity
  viaData: boolean
  /** A hostile value for every path param, or null for a plausible one. */
  param: string | null
  /** Appended to the query (already encoded, possibly malformed). */
  query: string
  headers: Record<string, string>
  body: string | Uint8Array<ArrayBuffer> | null
  /** The guard or readForm must refuse this for anyone: 400/403/405/413/415. */
  mustRefuse: boolean
  /** readForm must refuse this body (so: refused whenever the action gets as far as reading it). */
  badForm: boolean
}

// ---------------------------------------------------------------------------------------------------------------
// Generators

const MALFORMED_ESCAPES = ['%E0%A4%A', '%', '%zz', '%FF', '%C0%AF', '%ED%A0%80', '%%', '%E6%B2']
const CONTROL_ESCAPES = ['%00', '%01', '%07', '%08', '%0B', '%1B', '%7F', '%C2%85', '%E2%80%AE', '%0D%0ASet-Cookie:%20x=1']
const HOSTILE_PARAMS = [
  ...MALFORMED_ESCAPES,
  ...CONTROL_ESCAPES,
  '__proto__',
  'constructor',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  'a'.repeat(3000),
  '%F0%9F%92%A9',
  "'%20OR%201=1--",
  '%3Cscript%3E',
]
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype']

const asciiText = (maxLength = 40) => fc.string({ unit: 'binary-ascii', maxLength })
const printable = (maxLength = 40) => fc.string({ unit: 'grapheme-ascii', maxLength })
const unicodeText = (maxLength = 40) => fc.string({ unit: 'grapheme', maxLength })
const controlChar = fc.constantFrom(
  ...[...Array(32).keys()].filter((c) => c !== 9 && c !== 10 && c !== 13).map((c) => String.fromCharCode(c)),
  '\u007F',
  '\u0085',
  '\u009B',
  '\u202E',
  '\u2066',
)

const enc = (s: string) => encodeURIComponent(s)
const form = (pairs: [string, string][]) => pairs.map(([k, v]) => `${k}=${v}`).join('&')

function urlencodedType() {
  return fc.constantFrom(
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=UTF-8',
    'APPLICATION/X-WWW-FORM-URLENCODED',
  )
}

/** A field name of this route, an `intent`, or a stranger. */
function fieldName(route: ActionRoute) {
  return fc.oneof(
    fc.constantFrom(...(route.fields.length > 0 ? route.fields : ['x']), 'intent', 'redirectTo'),
    printable(12).filter((s) => s.length > 0),
  )
}

function plausiblePairs(route: ActionRoute) {
  const intent = route.intents.length > 0 ? fc.constantFrom(...route.intents) : printable(10)
  return fc
    .tuple(intent, fc.array(fc.tuple(fieldName(route), unicodeText(30)), { maxLength: 6 }))
    .map(([i, pairs]) => [['intent', i] as [string, string], ...pairs.map(([k, v]) => [enc(k), enc(v)] as [string, string])])
}

function hostileBody(route: ActionRoute) {
  type Body = Pick<HostileRequest, 'label' | 'headers' | 'body' | 'mustRefuse' | 'badForm'>
  const json: fc.Arbitrary<Body> = fc
    .tuple(
      fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/json', 'application/vnd.api+json'),
      fc.oneof(
        fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
        fc.constantFrom(
          '{"__proto__":{"polluted":true},"intent":"create"}',
          '{"constructor":{"prototype":{"polluted":true}}}',
          '{"username":"operator","password":"Demo@2026!"}',
          '['.repeat(20_000),
          '{"a":',
          '{"n":1e400,"m":-9007199254740993}',
          '',
        ),
      ),
    )
    .map(([type, body]) => ({ label: `json ${type}`, headers: { 'content-type': type }, body, mustRefuse: false, badForm: true }))
  const text: fc.Arbitrary<Body> = fc
    .tuple(
      fc.constantFrom('text/plain', 'text/plain;charset=UTF-8', 'text/html', 'application/xml', 'application/octet-stream'),
      fc.oneof(
        asciiText(200),
        fc.constant('intent=create&username=operator'),
        fc.constant('<!DOCTYPE x [<!ENTITY a "aa">]><x>&a;</x>'),
      ),
    )
    .map(([type, body]) => ({ label: `text ${type}`, headers: { 'content-type': type }, body, mustRefuse: false, badForm: true }))
  const multipart: fc.Arbitrary<Body> = fc
    .record({
      boundary: fc.stringMatching(/^[A-Za-z0-9'()+_,-]{1,60}$/),
      parts: fc.array(
        fc.record({
          name: fc.oneof(fieldName(route), fc.constantFrom('__proto__', 'a"b', '', 'x\u0000y')),
          filename: fc.option(fc.constantFrom('../../etc/passwd', 'a"b.csv', '', '\u202Egnp.exe', 'x'.repeat(300)), {
            nil: undefined,
          }),
          value: fc.oneof(
            unicodeText(50),
            fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
          ),
        }),
        { maxLength: 5 },
      ),
      oddity: fc.constantFrom('none', 'no-terminator', 'other-boundary', 'no-boundary-param', 'no-disposition', 'mixed'),
    })
    .map(({ boundary, parts, oddity }) => {
      const chunks: string[] = []
      for (const p of parts) {
        chunks.push(`--${boundary}\r\n`)
        if (oddity !== 'no-disposition') {
          const file = p.filename === undefined ? '' : `; filename="${p.filename}"`
          chunks.push(`Content-Disposition: form-data; name="${p.name}"${file}\r\n`)
        }
        if (p.filename !== undefined) chunks.push('Content-Type: application/octet-stream\r\n')
        chunks.push(`\r\n${p.value}\r\n`)
      }
      if (oddity !== 'no-terminator') chunks.push(`--${boundary}--\r\n`)
      const type =
        oddity === 'other-boundary'
          ? `multipart/form-data; boundary=${boundary}x`
          : oddity === 'no-boundary-param'
            ? 'multipart/form-data'
            : oddity === 'mixed'
              ? `multipart/mixed; boundary=${boundary}`
              : `multipart/form-data; boundary=${boundary}`
      return {
        label: `multipart (${oddity})`,
        headers: { 'content-type': type },
        body: new Uint8Array(Buffer.from(chunks.join(''), 'latin1')),
        mustRefuse: false,
        badForm: true,
      }
    })
  const withControl: fc.Arbitrary<Body> = fc
    .tuple(urlencodedType(), plausiblePairs(route), fieldName(route), asciiText(10), controlChar, asciiText(10), fc.boolean())
    .map(([type, pairs, name, a, c, b, inName]) => ({
      label: `urlencoded, control character U+${c.charCodeAt(0).toString(16).padStart(4, '0')} in a ${inName ? 'name' : 'value'}`,
      headers: { 'content-type': type },
      body: form([...pairs, inName ? [enc(a + c + b), 'x'] : [enc(name), enc(a + c + b)]]),
      mustRefuse: false,
      badForm: true,
    }))
  const prototypeKeys: fc.Arbitrary<Body> = fc
    .tuple(urlencodedType(), plausiblePairs(route), fc.constantFrom(...PROTOTYPE_NAMES), printable(10))
    .map(([type, pairs, key, value]) => ({
      label: `urlencoded, prototype key ${key}`,
      headers: { 'content-type': type },
      body: form([[key, enc(value)], ...pairs]),
      mustRefuse: false,
      badForm: true,
    }))
  const malformed: fc.Arbitrary<Body> = fc
    .tuple(urlencodedType(), plausiblePairs(route), fieldName(route), fc.constantFrom(...MALFORMED_ESCAPES))
    .map(([type, pairs, name, bad]) => ({
      label: `urlencoded, malformed escape ${bad}`,
      headers: { 'content-type': type },
      body: form([...pairs, [enc(name), `a${bad}`]]),
      mustRefuse: false,
      badForm: true,
    }))
  const huge: fc.Arbitrary<Body> = fc.tuple(fieldName(route), fc.constantFrom(300_000, 1_000_000)).map(([name, size]) => ({
    label: `urlencoded, ${size}-byte value`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `${enc(name)}=${'a'.repeat(size)}`,
    mustRefuse: false,
    badForm: true,
  }))
  const tooMany: fc.Arbitrary<Body> = fc.constant({
    label: 'urlencoded, 600 fields',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: Array.from({ length: 600 }, (_, i) => `f${i}=1`).join('&'),
    mustRefuse: false,
    badForm: true,
  })
  const duplicates: fc.Arbitrary<Body> = fc
    .tuple(plausiblePairs(route), fieldName(route), fc.array(unicodeText(20), { minLength: 2, maxLength: 8 }))
    .map(([pairs, name, values]) => ({
      label: `urlencoded, ${values.length} values for one key`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form([...pairs, ...values.map((v) => [enc(name), enc(v)] as [string, string])]),
      mustRefuse: false,
      badForm: false,
    }))
  const oddType: fc.Arbitrary<Body> = fc
    .tuple(
      fc.constantFrom('', ';;;', 'application/x-www-form-urlencoded, text/plain', 'multipart/form-data; boundary=', '*/*'),
      plausiblePairs(route),
    )
    .map(([type, pairs]) => ({
      label: `content-type ${JSON.stringify(type)}`,
      headers: type === '' ? ({} as Record<string, string>) : { 'content-type': type },
      body: form(pairs),
      mustRefuse: false,
      badForm: true,
    }))
  return fc.oneof(
    json,
    text,
    multipart,
    withControl,
    prototypeKeys,
    malformed,
    { arbitrary: huge, weight: 1 },
    tooMany,
    duplicates,
    oddType,
  )
}

function hostileOrigin(route: ActionRoute, ownHost: string) {
  return fc
    .tuple(
      fc.oneof(
        fc.constantFrom(
          'null',
          'http://evil.example',
          `http://${ownHost}.evil.example`,
          `https://${ownHost}`,
          `http://${ownHost}/path`,
          `http://user@${ownHost}`,
          'ht!tp://[::',
          'http://[::',
          'http://a b',
          'http://x:99999',
          'http://x, http://y',
          'javascript:alert(1)',
          'file://',
          '*',
          ' ',
        ),
        fc.webUrl().map((u) => new URL(u).origin),
        printable(60),
      ),
      plausiblePairs(route),
    )
    .filter(([origin]) => origin !== `http://${ownHost}` && origin.trim() !== '')
    .map(([origin, pairs]) => ({
      label: `Origin ${JSON.stringify(origin)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: form(pairs),
      mustRefuse: true,
      badForm: false,
    }))
}

function hostileRequest(route: ActionRoute, ownHost: string): fc.Arbitrary<HostileRequest> {
  const query = fc.oneof(
    { arbitrary: fc.constant(''), weight: 4 },
    fc.constantFrom(...MALFORMED_ESCAPES, ...CONTROL_ESCAPES).map((e) => `redirectTo=${e}`),
    fc.constantFrom(...MALFORMED_ESCAPES, ...CONTROL_ESCAPES).map((e) => `${e}=1`),
  )
  const param = fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, fc.constantFrom(...HOSTILE_PARAMS))
  return fc
    .record({
      identity: fc.constantFrom<Identity>('anonymous', 'allowed', 'allowed', 'other'),
      viaData: fc.boolean(),
      param: route.segments.some((s) => typeof s !== 'string') ? param : fc.constant(null),
      query,
      payload: fc.oneof({ arbitrary: hostileBody(route), weight: 4 }, hostileOrigin(route, ownHost)),
    })
    .map(({ identity, viaData, param, query, payload }) => {
      // Every generated query holds a malformed escape or a control character; so do those params.
      const badUrl = query !== '' || (param !== null && [...MALFORMED_ESCAPES, ...CONTROL_ESCAPES].includes(param))
      return {
        ...payload,
        identity,
        viaData,
        param,
        query,
        mustRefuse: payload.mustRefuse || badUrl,
        label: `${payload.label}${param ? `, param ${param.slice(0, 30)}` : ''}${query ? `, query ${query}` : ''}`,
      }
    })
}

const QUERY_NAMES = [
  'page',
  'from',
  'to',
  'month',
  'year',
  'q',
  'period',
  'closing',
  'product',
  'done',
  'code',
  'redirectTo',
  'reason',
  'status',
  'index',
  '_data',
  '_routes',
]

/** A GET with hostile params and query: malformed or control escapes must be refused (400), the rest answered < 500. */
function hostileGet(route: ActionRoute): fc.Arbitrary<HostileRequest> {
  const badValue = fc.constantFrom(...MALFORMED_ESCAPES, ...CONTROL_ESCAPES)
  const oddValue = fc.oneof(
    unicodeText(30).map(enc),
    fc.constantFrom(
      '__proto__',
      'constructor',
      '-1',
      '1e400',
      '9007199254740993',
      'a'.repeat(5000),
      '%F0%9F%92%A9',
      '2026-13',
      '0000-00',
    ),
  )
  const pair = fc.tuple(fc.constantFrom(...QUERY_NAMES, ...route.fields), fc.oneof({ arbitrary: oddValue, weight: 4 }, badValue))
  return fc
    .record({
      identity: fc.constantFrom<Identity>('anonymous', 'allowed', 'allowed', 'other'),
      viaData: fc.boolean(),
      param: route.segments.some((s) => typeof s !== 'string')
        ? fc.oneof({ arbitrary: fc.constant(null), weight: 2 }, fc.constantFrom(...HOSTILE_PARAMS))
        : fc.constant(null),
      pairs: fc.array(pair, { maxLength: 4 }),
    })
    .map(({ identity, viaData, param, pairs }) => {
      const query = pairs.map(([k, v]) => `${k}=${v}`).join('&')
      const bad =
        (param !== null && [...MALFORMED_ESCAPES, ...CONTROL_ESCAPES].includes(param)) ||
        pairs.some(([, v]) => [...MALFORMED_ESCAPES, ...CONTROL_ESCAPES].includes(v))
      return {
        label: `GET${param ? `, param ${param.slice(0, 30)}` : ''}${query ? `, query ${query.slice(0, 200)}` : ''}`,
        identity,
        viaData,
        param,
        query,
        headers: {},
        body: null,
        mustRefuse: bad,
        badForm: false,
      }
    })
}

/** The status of raw bytes sent to the server, for what fetch will not send (odd Host, absolute targets, TRACE). */
function rawStatus(port: string, request: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(request))
    let data = ''
    socket.setEncoding('latin1')
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy(new Error('no answer in time')))
    socket.on('data', (chunk) => {
      data += chunk
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(data)
      if (match) {
        resolve(Number(match[1]))
        socket.destroy()
      }
    })
    socket.on('error', reject)
    socket.on('close', () => reject(new Error(`connection closed without an answer: ${JSON.stringify(data)}`)))
  })
}

// ---------------------------------------------------------------------------------------------------------------
// The run

describe('every Remix action and loader refuses hostile requests without a 5xx or a change', () => {
  const routes = discoverActionRoutes()
  const loaderRoutes = discoverLoaderRoutes()
  let platform: PlatformHarness
  let ownHost: string
  const serverLog: string[] = []
  let sent = 0

  beforeAll(async () => {
    platform = await startPlatform({ log: (line) => serverLog.push(line) })
    ownHost = new URL(platform.url).host
    console.log(
      `[remix-actions-fuzz] ${routes.length} actions, ${loaderRoutes.length} loaders; seeds: fixed ${FIXED_SEED}, fresh ${FRESH_SEED} ` +
        `(replay: FUZZ_SEED=${FRESH_SEED} npx vitest run --project unit test/integration/remix-actions-fuzz.test.ts)`,
    )
  })
  afterAll(async () => {
    console.log(`[remix-actions-fuzz] ${sent} requests sent`)
    await platform?.stop()
  })

  it('finds the actions from the route files', () => {
    // A floor, not a list: new routes only add to it.
    expect(routes.length).toBeGreaterThanOrEqual(24)
    expect(routes.map((r) => r.file)).toEqual(expect.arrayContaining(['login.tsx', 'lang.tsx', 'operator.datasets.$code.tsx']))
    const login = routes.find((r) => r.file === 'login.tsx')!
    expect(login).toMatchObject({ roles: [], readsForm: true, isIndex: false, segments: ['login'] })
    expect(routes.find((r) => r.file === 'operator.datasets._index.tsx')).toMatchObject({
      roles: ['operator'],
      isIndex: true,
      segments: ['operator', 'datasets'],
    })
    expect(routes.find((r) => r.file === 'operator.datasets.$code_.upload.tsx')?.segments).toEqual([
      'operator',
      'datasets',
      { param: 'code' },
      'upload',
    ])
  })

  /** The session's cookie and CSRF token: hostile posts carry the token, so they reach the action (ADR 0017). */
  async function signIn(username: string): Promise<UiSession> {
    return signInUi(platform.url, username, demoPassword(username))
  }

  /** A demo user with (or without) one of `roles`; null when every role has one (account pages: no "other" role). */
  function userFor(roles: readonly Role[], allowed: boolean): string | null {
    const user = DEMO_USERS.find((u) =>
      roles.length === 0 ? u.role === 'partner_developer' : roles.includes(u.role) === allowed,
    )
    return user?.username ?? null
  }
  const otherUser = (roles: readonly Role[]) => userFor(roles, false)

  /** A real value for each param: the first link to such a page on the page above it, as the role sees it. */
  async function plausibleParams(route: ActionRoute, cookie: string): Promise<Record<string, string>> {
    const values: Record<string, string> = {}
    for (let i = 0; i < route.segments.length; i++) {
      const segment = route.segments[i]!
      if (typeof segment === 'string') continue
      const above = fillPath({ ...route, segments: route.segments.slice(0, i) }, (p) => values[p] ?? 'x')
      const res = await fetch(platform.url + above, { headers: { cookie }, redirect: 'manual' })
      const html = await res.text()
      const escaped = above.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      values[segment.param] = new RegExp(`href="${escaped}/([^"/?#]+)`).exec(html)?.[1] ?? 'x1'
    }
    return values
  }

  async function auditTail(): Promise<number> {
    const result = await platform.database.client.execute('SELECT coalesce(max(seq), 0) AS seq FROM audit_log')
    return Number(result.rows[0]!.seq)
  }

  async function auditSince(seq: number): Promise<string[]> {
    const result = await platform.database.client.execute({ sql: 'SELECT action FROM audit_log WHERE seq > ?', args: [seq] })
    return result.rows.map((r) => String(r.action))
  }

  for (const [seedName, seed] of [
    ['fixed', FIXED_SEED],
    ['fresh', FRESH_SEED],
  ] as const) {
    for (const route of routes) {
      it(`${route.file} (${seedName} seed ${seed})`, async () => {
        const sessions: Record<Identity, UiSession> = {
          anonymous: await openUiSession(platform.url),
          allowed: await signIn(userFor(route.roles, true)!),
          // A page every role may open: an anonymous visitor stands in for the other role.
          other: otherUser(route.roles) ? await signIn(otherUser(route.roles)!) : await openUiSession(platform.url),
        }
        const cookies: Record<Identity, string | null> = {
          anonymous: sessions.anonymous.cookie,
          allowed: sessions.allowed.cookie,
          other: sessions.other.cookie,
        }
        const plausible = await plausibleParams(route, cookies.allowed!)
        const isProtected = route.roles.length > 0

        await fc.assert(
          fc.asyncProperty(hostileRequest(route, ownHost), async (h) => {
            const path = fillPath(route, (p) => h.param ?? plausible[p] ?? 'x1') + (h.viaData ? '.data' : '')
            const query = [route.isIndex ? 'index' : '', h.query].filter(Boolean).join('&')
            const url = `${platform.url}${path}${query ? `?${query}` : ''}`
            const headers: Record<string, string> = { ...h.headers }
            const cookie = cookies[h.identity]
            if (cookie) headers.cookie = cookie
            // The identity's own CSRF token goes with every text body: the fuzz probes the action, not the token check.
            const body = typeof h.body === 'string' ? `${h.body}&_csrf=${sessions[h.identity].csrfToken}` : h.body
            const before = await auditTail()
            const started = Date.now()
            let status: number
            try {
              sent++
              const res = await fetch(url, {
                method: 'POST',
                headers,
                body,
                redirect: 'manual',
                signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
              })
              await res.arrayBuffer()
              status = res.status
            } catch (error) {
              throw new Error(
                `no answer (dropped connection or no answer within ${REQUEST_TIMEOUT_MS} ms after ${Date.now() - started} ms) ` +
                  `to ${h.label} as ${h.identity}: ${(error as Error).message} ${String((error as { cause?: unknown }).cause ?? '')}`,
              )
            }
            const what = `${h.label} as ${h.identity} → ${status} (POST ${path}${query ? `?${query}` : ''})`
            expect(status, what).toBeLessThan(500)
            if (h.mustRefuse) expect([400, 403], what).toContain(status)
            const unauthorised = isProtected && h.identity !== 'allowed'
            if (unauthorised) expect(status === 202 || (status >= 300 && status < 500), what).toBe(true)
            // With the right role, the action reads the form first: a body readForm refuses never reaches the domain.
            if (h.badForm && route.readsForm && !unauthorised) expect(status >= 400 && status < 500, what).toBe(true)
            if (status >= 400 || unauthorised) {
              const changes = (await auditSince(before)).filter((action) => !AUDITED_REFUSALS.has(action))
              expect(changes, `audit entries after a refusal: ${what}`).toEqual([])
            }
          }),
          { seed, numRuns: RUNS, endOnFailure: false },
        )
      })
    }
  }

  const signedIn = new Map<string, string>()
  async function sessionOf(username: string): Promise<string> {
    let cookie = signedIn.get(username)
    if (!cookie) signedIn.set(username, (cookie = (await signIn(username)).cookie))
    return cookie
  }

  for (const [seedName, seed] of [
    ['fixed', FIXED_SEED],
    ['fresh', FRESH_SEED],
  ] as const) {
    for (const route of loaderRoutes) {
      it(`GET ${route.file} (${seedName} seed ${seed})`, async () => {
        const cookies: Record<Identity, string | null> = {
          anonymous: null,
          allowed: await sessionOf(userFor(route.roles, true)!),
          other: otherUser(route.roles) ? await sessionOf(otherUser(route.roles)!) : null,
        }
        const plausible = await plausibleParams(route, cookies.allowed!)
        await fc.assert(
          fc.asyncProperty(hostileGet(route), async (h) => {
            const path = fillPath(route, (p) => h.param ?? plausible[p] ?? 'x1') + (h.viaData ? '.data' : '')
            const query = [route.isIndex ? 'index' : '', h.query].filter(Boolean).join('&')
            const url = `${platform.url}${path}${query ? `?${query}` : ''}`
            const cookie = cookies[h.identity]
            const before = await auditTail()
            let status: number
            try {
              sent++
              const res = await fetch(url, {
                headers: cookie ? { cookie } : {},
                redirect: 'manual',
                signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
              })
              await res.arrayBuffer()
              status = res.status
            } catch (error) {
              throw new Error(`no answer to ${h.label} as ${h.identity}: ${(error as Error).message}`)
            }
            const what = `${h.label} as ${h.identity} → ${status} (GET ${path})`
            expect(status, what).toBeLessThan(500)
            if (h.mustRefuse) expect(status, what).toBe(400)
            if (status >= 400) expect(await auditSince(before), `audit entries after a refusal: ${what}`).toEqual([])
          }),
          { seed, numRuns: LOADER_RUNS, endOnFailure: false },
        )
      })
    }
  }

  // The inputs that answered 500 (or a stack trace) before the guard and readForm, kept by name.
  describe('UI crash inputs found so far', () => {
    const form = 'username=a&password=b'
    it.each<[string, string, RequestInit, number]>([
      [
        'JSON body to sign-in (formData() threw)',
        '/login',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' },
        415,
      ],
      [
        'JSON body to sign-in over single fetch',
        '/login.data',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
        415,
      ],
      ['text/plain body to sign-in', '/login', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: form }, 415],
      ['post without a body', '/login', { method: 'POST' }, 415],
      [
        'multipart whose boundary does not match',
        '/lang',
        { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=xyz' }, body: '--abc\r\n\r\nx\r\n--abc--' },
        415,
      ],
      [
        'foreign Origin (Remix CSRF check threw)',
        '/login',
        { method: 'POST', headers: { origin: 'http://x', 'content-type': 'application/x-www-form-urlencoded' }, body: form },
        403,
      ],
      [
        'Origin: null',
        '/login',
        { method: 'POST', headers: { origin: 'null', 'content-type': 'application/x-www-form-urlencoded' }, body: form },
        403,
      ],
      [
        'malformed Origin',
        '/login',
        { method: 'POST', headers: { origin: 'ht!tp://[::', 'content-type': 'application/x-www-form-urlencoded' }, body: form },
        400,
      ],
      ['PUT to an action', '/login', { method: 'PUT' }, 405],
      ['DELETE to an action', '/lang', { method: 'DELETE' }, 405],
      ['malformed escape in a path param (Express threw URIError)', '/catalog/%E0%A4%A', {}, 400],
      ['control character in a path param', '/operator/invoices/%00', {}, 400],
      ['malformed escape in the query', '/catalog?q=%E0%A4%A', {}, 400],
    ])('%s', async (_name, path, init, expected) => {
      const res = await fetch(platform.url + path, { ...init, redirect: 'manual' })
      const text = await res.text()
      expect(res.status).toBe(expected)
      // Pages answer with their error page; single fetch (`.data`) and resource routes (`/lang`) with their own format.
      if (!path.endsWith('.data') && !path.startsWith('/lang')) expect(res.headers.get('content-type')).toMatch(/^text\/html/)
      expect(text).not.toMatch(/at .+\.(js|ts):\d+/)
    })

    it.each([
      ['Host with a space', 'GET /catalog HTTP/1.1\r\nHost: a b\r\n'],
      ['Host with an open bracket', 'GET /catalog HTTP/1.1\r\nHost: [::\r\n'],
      ['Host with a port beyond 65535', 'GET /catalog HTTP/1.1\r\nHost: x:99999999999\r\n'],
      ['Host with userinfo', 'GET /catalog HTTP/1.1\r\nHost: a@b\r\n'],
      ['absolute-form request target', 'GET http://evil.example/catalog HTTP/1.1\r\nHost: evil.example\r\n'],
      ['TRACE', 'TRACE /login HTTP/1.1\r\nHost: 127.0.0.1\r\n'],
    ])('%s answers 4xx (was 500)', async (_name, head) => {
      const status = await rawStatus(new URL(platform.url).port, `${head}Connection: close\r\n\r\n`)
      expect(status).toBeGreaterThanOrEqual(400)
      expect(status).toBeLessThan(500)
    })

    it('sends the language switch back only to a path of ours', async () => {
      const visitor = await openUiSession(platform.url)
      for (const target of [
        '//evil.example',
        '/%2F%2Fevil.example',
        '/\\evil.example',
        '/\t/evil.example',
        'https://evil.example',
      ]) {
        const res = await postForm(platform.url, visitor, '/lang', { lang: 'en', redirectTo: target })
        await res.arrayBuffer()
        expect(res.status, target).toBe(302)
        expect(res.headers.get('location'), target).toBe('/')
      }
    })
  })

  it('leaves the server up and logs no internal error', async () => {
    const res = await fetch(`${platform.url}/login`)
    expect(res.status).toBe(200)
    await res.arrayBuffer()
    expect(serverLog.filter((line) => /internal error/i.test(line))).toEqual([])
  })
})
