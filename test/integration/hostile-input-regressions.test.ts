import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { eq } from 'drizzle-orm'
import { connect } from 'node:net'
import { plans, rejectedCallBuckets, rejectedCalls, subscriptions, usageEvents } from '#db/schema/index.ts'
import { demoApiKey } from '#test/support/gateway-server.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { sendRaw, type RawOutcome, type RawRequest } from '#test/support/raw-http.ts'

/**
 * The inputs that took the platform down or misbehaved when it was first attacked (issue 8), kept as named cases.
 * Each must be answered with the API's JSON error and a 4xx, and the server must stay up.
 */
const VERIFY = '/api/v1/verifications/enterprise'
const json = (body: unknown) => JSON.stringify(body)
const authed: [string, string][] = [
  ['Authorization', `Bearer ${demoApiKey}`],
  ['Content-Type', 'application/json'],
]

describe('hostile-input regressions: each once crashed, stalled or misanswered the platform', () => {
  let platform: PlatformHarness
  const logLines: string[] = []

  beforeAll(async () => {
    platform = await startPlatform({ log: (line) => logLines.push(line) })
    await platform.database.db.insert(plans).values({
      code: 'wide',
      nameZh: '宽',
      nameEn: 'Wide',
      rateLimitPerMinute: 100_000,
      monthlyQuota: null,
      distinctSubjectsPerDay: 100_000,
    })
    await platform.database.db.update(subscriptions).set({ planCode: 'wide' })
  })
  afterAll(async () => {
    await platform?.stop()
  }, 60_000)

  async function expectError(request: RawRequest, status: number, code: string): Promise<Record<string, any>> {
    const outcome: RawOutcome = await sendRaw(platform.url, request)
    expect(outcome.kind, JSON.stringify(outcome)).toBe('answered')
    if (outcome.kind !== 'answered') throw new Error('unreachable')
    expect(outcome.response.status).toBe(status)
    expect(outcome.response.headers['content-type']).toMatch(/^application\/json/)
    const body = JSON.parse(outcome.response.body.toString('utf8'))
    expect(body.error).toMatchObject({ code, requestId: expect.stringMatching(/^req_[0-9a-f]{32}$/) })
    expect(typeof body.error.message).toBe('string')
    return body.error
  }

  async function expectAlive() {
    const outcome = await sendRaw(platform.url, {
      method: 'POST',
      target: VERIFY,
      headers: authed,
      body: json({ uscc: '91210102MA0QW8R76J', name: 'x' }),
    })
    expect(outcome.kind === 'answered' && outcome.response.status).toBe(200)
  }

  it('a malformed percent-escape in a path parameter (anonymous) once ended the process: 400', async () => {
    await expectError({ method: 'GET', target: '/api/v1/services/traffic-flow/%E0%A4%A' }, 400, 'bad_request')
    await expectError({ method: 'GET', target: '/api/v1/services/enterprise-credit-profile/%' }, 400, 'bad_request')
    await expectAlive()
  })

  it('a chunked JSON body over the limit with a valid key once ended the process: 413 before the rest is read', async () => {
    const error = await expectError(
      { method: 'POST', target: VERIFY, headers: authed, body: Buffer.alloc(2_000_000, 0x20), chunked: 8192 },
      413,
      'payload_too_large',
    )
    expect(error.message).toContain('65536')
    await expectError(
      { method: 'POST', target: VERIFY, headers: authed, body: Buffer.alloc(200_000, 0x20) },
      413,
      'payload_too_large',
    )
    await expectAlive()
  })

  it('malformed encodings, control characters and bytes in the query and path: 400', async () => {
    const traffic = '/api/v1/services/traffic-flow/SY-210102-001'
    await expectError({ method: 'GET', target: `${traffic}?from=%zz&to=2026-10-31`, headers: authed }, 400, 'bad_request')
    await expectError({ method: 'GET', target: `${traffic}?from=%00&to=2026-10-31`, headers: authed }, 400, 'bad_request')
    await expectError({ method: 'GET', target: `${traffic}?from=%C0%AE&to=2026-10-31`, headers: authed }, 400, 'bad_request')
    await expectError(
      { method: 'GET', target: Buffer.from(`${traffic}\xff?from=a`, 'latin1'), headers: authed },
      400,
      'bad_request',
    )
    await expectError({ method: 'GET', target: `${traffic}?from=a&from=b&to=c`, headers: authed }, 400, 'validation_failed')
  })

  it('bodies: invalid UTF-8, bad JSON, deep nesting, unsafe numbers, prototype keys, unknown properties: 400', async () => {
    const eventsBefore = await platform.database.db.$count(usageEvents)
    const post = (body: string | Buffer) => ({ method: 'POST', target: VERIFY, headers: authed, body })
    expect(
      (await expectError(post(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])), 400, 'validation_failed')).fields,
    ).toEqual({ body: 'invalid_utf8' })
    expect((await expectError(post('{"uscc":'), 400, 'validation_failed')).fields).toEqual({ body: 'invalid_json' })
    expect((await expectError(post('['.repeat(20_000) + ']'.repeat(20_000)), 400, 'validation_failed')).fields).toEqual({
      body: 'too_deep',
    })
    expect((await expectError(post('{"uscc":1e400,"name":"x"}'), 400, 'validation_failed')).fields).toEqual({
      uscc: 'unsafe_number',
    })
    expect((await expectError(post('{"uscc":12345678901234567890,"name":"x"}'), 400, 'validation_failed')).fields).toEqual({
      uscc: 'unsafe_number',
    })
    const proto = await expectError(post('{"__proto__":{"admin":true}}'), 400, 'validation_failed')
    expect(JSON.stringify(proto.fields)).toBe('{"__proto__":"prototype_key"}')
    const extra = await expectError(post(json({ uscc: '91210102MA0QW8R76J', name: 'x', admin: true })), 400, 'validation_failed')
    expect(extra.fields).toEqual({ admin: 'unknown_property' })
    await expectError(
      { ...post('{}'), headers: [authed[0]!, ['Content-Type', 'application/json; charset=gbk']] },
      415,
      'unsupported_media_type',
    )
    await expectError({ ...post('{}'), headers: [authed[0]!, ['Content-Type', 'text/plain']] }, 415, 'unsupported_media_type')
    expect(await platform.database.db.$count(usageEvents)).toBe(eventsBefore)
  })

  it('odd or duplicated Authorization, Content-Type and Content-Length headers', async () => {
    const body = json({ uscc: '91210102MA0QW8R76J', name: 'x' })
    await expectError({ method: 'POST', target: VERIFY, headers: [authed[0]!, ...authed], body }, 400, 'bad_request')
    await expectError(
      { method: 'POST', target: VERIFY, headers: [...authed, ['Content-Type', 'text/plain']], body },
      400,
      'bad_request',
    )
    await expectError(
      {
        method: 'POST',
        target: VERIFY,
        headers: [...authed, ['Content-Length', '3'], ['Content-Length', '4']],
        body: '{}}}',
        noContentLength: true,
      },
      400,
      'bad_request',
    )
    await expectError(
      { method: 'POST', target: VERIFY, headers: [['Authorization', 'Basic dXNlcjpwYXNz'], authed[1]!], body },
      401,
      'invalid_key',
    )
    await expectError(
      { method: 'POST', target: VERIFY, headers: [['Authorization', `Bearer ${demoApiKey} trailing`], authed[1]!], body },
      401,
      'invalid_key',
    )
    await expectError(
      { method: 'GET', target: '/api/v1/openapi.json', headers: [['X-Padding', 'a'.repeat(20_000)]] },
      431,
      'headers_too_large',
    )
    await expectAlive()
  })

  it('a transfer coding other than chunked once left the call waiting for a body that could never arrive: 400', async () => {
    await expectError({ method: 'POST', target: VERIFY, headers: [...authed, ['Transfer-Encoding', 'gzip']] }, 400, 'bad_request')
    await expectError({ method: 'POST', target: '/login', headers: [['Transfer-Encoding', 'identity']] }, 400, 'bad_request')
    expect(await platform.openConnections()).toBeLessThanOrEqual(1)
    await expectAlive()
  })

  it('methods and targets: CONNECT, unknown methods, absolute-form and asterisk targets', async () => {
    await expectError({ method: 'CONNECT', target: '127.0.0.1:80' }, 405, 'method_not_allowed')
    await expectError({ method: 'PUT', target: VERIFY, headers: authed }, 405, 'method_not_allowed')
    await expectError({ method: 'FOO', target: VERIFY }, 400, 'bad_request')
    await expectError({ method: 'GET', target: `http://evil.example${VERIFY}` }, 400, 'bad_request')
    await expectError({ method: 'OPTIONS', target: '*' }, 400, 'bad_request')
    await expectAlive()
  })

  it('answers a call before refusing the garbage pipelined behind it (a body longer than its Content-Length)', async () => {
    const body = json({ uscc: '91210102MA0QW8R76J', name: 'x' })
    const outcome = await sendRaw(platform.url, {
      method: 'POST',
      target: VERIFY,
      headers: [...authed, ['Content-Length', String(body.length)]],
      body: `${body}garbage that is no request`,
      noContentLength: true,
    })
    expect(outcome.kind === 'answered' && outcome.response.status).toBe(200)
  })

  it('a client hanging up mid-body is not an internal error, and is not logged as one', async () => {
    await new Promise<void>((resolve) => {
      const { hostname, port } = new URL(platform.url)
      const socket = connect({ host: hostname, port: Number(port) }, () => {
        socket.write(
          `POST ${VERIFY} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${demoApiKey}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"uscc":`,
        )
        setImmediate(() => {
          socket.destroy()
          resolve()
        })
      })
    })
    await expectAlive()
    // Logged to the partner's refusals as a hang-up (499), never as an internal error.
    await vi.waitFor(async () => {
      const closed = await platform.database.db.select().from(rejectedCalls).where(eq(rejectedCalls.code, 'client_closed'))
      expect(closed.map((r) => r.status)).toEqual([499])
    })
    expect(logLines.filter((line) => line.includes('internal error'))).toEqual([])
  })

  it('sends the security headers on API answers, refusals and successes alike', async () => {
    const answers = await Promise.all([
      sendRaw(platform.url, { method: 'GET', target: '/api/v1/openapi.json' }),
      sendRaw(platform.url, {
        method: 'POST',
        target: VERIFY,
        headers: authed,
        body: json({ uscc: '91210102MA0QW8R76J', name: 'x' }),
      }),
      sendRaw(platform.url, { method: 'POST', target: VERIFY }),
    ])
    for (const answer of answers) {
      if (answer.kind !== 'answered') throw new Error(JSON.stringify(answer))
      expect(answer.response.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'content-security-policy': expect.stringContaining("default-src 'none'"),
      })
      expect(answer.response.headers['strict-transport-security']).toBeUndefined() // TRUST_PROXY is off
    }
  })

  it('counts anonymous refusals per minute, code and address prefix instead of a row per request', async () => {
    const before = await platform.database.db.$count(rejectedCalls, eq(rejectedCalls.code, 'invalid_key'))
    const invalidBefore = (await platform.database.db.select().from(rejectedCallBuckets))
      .filter((b) => b.code === 'invalid_key')
      .reduce((n, b) => n + b.count, 0)
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        sendRaw(platform.url, { method: 'POST', target: VERIFY, headers: [['Authorization', `Bearer sdp_guess${i}`]] }),
      ),
    )
    await expectAlive() // the recorder commits anonymous counts with the next batch
    expect(await platform.database.db.$count(rejectedCalls, eq(rejectedCalls.code, 'invalid_key'))).toBe(before)
    const buckets = await platform.database.db.select().from(rejectedCallBuckets)
    const invalid = buckets.filter((b) => b.code === 'invalid_key')
    expect(invalid.reduce((n, b) => n + b.count, 0) - invalidBefore).toBe(300)
    // 300 requests within at most two minutes from one address: at most two rows.
    expect(invalid.length).toBeLessThanOrEqual(2)
  })
})
