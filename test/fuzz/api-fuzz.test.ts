import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import fc from 'fast-check'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { plans, subscriptions, usageEvents } from '#db/schema/index.ts'
import { demoApiKey } from '#test/support/gateway-server.ts'
import { openApiDocument } from '#test/support/openapi.ts'
import { startPlatform, type PlatformHarness } from '#test/support/platform-server.ts'
import { sendRaw, type RawOutcome, type RawRequest } from '#test/support/raw-http.ts'
import { hostileRequest, specOperations, type FuzzOperation } from './hostile-requests.ts'

/**
 * Hostile input, generated from api-specs/openapi.yaml: for every operation, path and query parameter, header and
 * body field, variants no well-behaved client sends, against the whole platform on a real database. Each answer must
 * be a 4xx in the spec's error schema (or a success, for a variant that happens to be valid), never a 5xx, a dropped
 * connection or a hang; no refusal may leave a usage event; the server must be up at the end.
 *
 * Replay a failure with the seed it prints: `FUZZ_SEED=<seed> npx vitest run test/fuzz/api-fuzz.test.ts`.
 */
const FIXED_SEED = 20_261_130
const freshSeed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31)
const RUNS_PER_SEED = Number(process.env.FUZZ_RUNS ?? 2600)
const CONCURRENCY = 8
const REQUEST_TIMEOUT_MS = 20_000

const ajv = new Ajv2020({ strict: false })
const validateError = ajv.compile({
  ...openApiDocument.components.schemas.Error,
  $defs: undefined,
  properties: {
    error: {
      ...openApiDocument.components.schemas.Error.properties.error,
      properties: {
        ...openApiDocument.components.schemas.Error.properties.error.properties,
        code: openApiDocument.components.schemas.ErrorCode,
      },
    },
  },
})

interface Sent {
  label: string
  request: RawRequest
  outcome: RawOutcome
}

/** What is wrong with one answer, or null. */
function problemOf({ request, outcome }: Sent): string | null {
  if (outcome.kind === 'timeout') return 'no answer within the per-request timeout'
  if (outcome.kind === 'dropped') return `connection dropped (${outcome.detail}, ${outcome.received} bytes)`
  const { status, headers, body } = outcome.response
  if (status >= 500) return `answered ${status}: ${body.toString('utf8').slice(0, 200)}`
  if (status < 400 || request.method.toUpperCase() === 'HEAD') return null
  if (!(headers['content-type'] ?? '').startsWith('application/json')) return `${status} without a JSON error body`
  let json: unknown
  try {
    json = JSON.parse(body.toString('utf8'))
  } catch {
    return `${status} with a body that is not JSON`
  }
  if (!validateError(json)) return `${status} body outside the error schema: ${ajv.errorsText(validateError.errors)}`
  const requestId = (json as { error: { requestId: string } }).error.requestId
  if (headers['x-request-id'] && headers['x-request-id'] !== requestId) return 'X-Request-Id differs from error.requestId'
  return null
}

async function sendAll(origin: string, requests: { label: string; request: RawRequest }[]): Promise<Sent[]> {
  const sent: Sent[] = new Array(requests.length)
  let next = 0
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests.length) {
        const i = next++
        const { label, request } = requests[i]!
        sent[i] = { label, request, outcome: await sendRaw(origin, request, REQUEST_TIMEOUT_MS) }
      }
    }),
  )
  return sent
}

function describeRequest({ label, request }: { label: string; request: RawRequest }): string {
  const target = Buffer.from(request.target).toString('latin1').slice(0, 160)
  const body = request.body === undefined ? '' : ` body ${Buffer.from(request.body).length} B`
  return `[${label}] ${request.method} ${JSON.stringify(target)}${body}`
}

describe('hostile API requests generated from the OpenAPI spec', () => {
  let platform: PlatformHarness
  const operations: FuzzOperation[] = specOperations(openApiDocument)

  beforeAll(async () => {
    platform = await startPlatform()
    // Limits stay on but far too high to trip: the fuzz exercises parsing and validation, not the plan.
    await platform.database.db.insert(plans).values({
      code: 'fuzz',
      nameZh: '测试',
      nameEn: 'Fuzz',
      rateLimitPerMinute: 1_000_000,
      monthlyQuota: null,
      distinctSubjectsPerDay: 1_000_000,
    })
    await platform.database.db.update(subscriptions).set({ planCode: 'fuzz' })
  }, 60_000)
  afterAll(async () => {
    // Stopping waits for the report exports that valid variants started.
    await platform?.stop()
  }, 180_000)

  it('covers every operation of the spec', () => {
    expect(operations.map((o) => o.operationId).sort()).toEqual(
      Object.values(openApiDocument.paths as Record<string, Record<string, { operationId: string }>>)
        .flatMap((item) => Object.values(item).map((op) => op.operationId))
        .sort(),
    )
  })

  it.each([
    ['fixed', FIXED_SEED],
    ['fresh', freshSeed],
  ])(
    'answers every generated hostile request (%s seed %i) with a 4xx in the error schema, never a 5xx, drop or hang',
    async (_kind, seed) => {
      console.log(`api fuzz: seed ${seed}, ${RUNS_PER_SEED} requests (replay: FUZZ_SEED=${seed})`)
      const requests = fc.sample(hostileRequest(operations, demoApiKey), { seed, numRuns: RUNS_PER_SEED })
      const before = await platform.database.db.$count(usageEvents)
      const sent = await sendAll(platform.url, requests)
      const problems = sent.flatMap((s) => {
        const problem = problemOf(s)
        return problem ? [`${describeRequest(s)} → ${problem}`] : []
      })
      expect(problems.slice(0, 10), `${problems.length} bad answers; replay with FUZZ_SEED=${seed}`).toEqual([])

      // Exactly the answered calls are metered: no refusal left a usage event, no success lacks one.
      const idsWith = (accept: (status: number) => boolean) =>
        new Set(
          sent.flatMap((s) =>
            s.outcome.kind === 'answered' && accept(s.outcome.response.status) && !s.label.startsWith('openapi')
              ? [s.outcome.response.headers['x-request-id']!]
              : [],
          ),
        )
      const answered = idsWith((status) => status < 300)
      const refused = idsWith((status) => status >= 400)
      const events = await platform.database.db.select({ requestId: usageEvents.requestId }).from(usageEvents)
      const metered = new Set(events.map((e) => e.requestId))
      expect(
        sent
          .filter(
            (s) =>
              s.outcome.kind === 'answered' &&
              refused.has(s.outcome.response.headers['x-request-id']!) &&
              metered.has(s.outcome.response.headers['x-request-id']!),
          )
          .map(describeRequest),
        'refusals with a usage event',
      ).toEqual([])
      expect(
        [...answered].filter((id) => !metered.has(id)),
        'successes without a usage event',
      ).toEqual([])
      expect(events.length - before).toBe(answered.size)

      // The statuses show the suite reached past the first checks (not only 401s or 404s).
      const statuses = new Set(sent.map((s) => (s.outcome.kind === 'answered' ? s.outcome.response.status : 0)))
      for (const status of [400, 401, 404, 405, 413, 415]) expect(statuses, `saw ${status}`).toContain(status)

      // No connection is left open once the clients have gone (a half-open socket after a parser error leaked).
      await vi.waitFor(async () => expect(await platform.openConnections()).toBe(0), { timeout: 30_000, interval: 100 })

      // Still up: a valid call answers.
      const alive = await sendRaw(platform.url, { method: 'GET', target: '/api/v1/openapi.json' })
      expect(alive.kind === 'answered' && alive.response.status).toBe(200)
    },
    600_000,
  )
})
