import { describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { Validator } from '@seriousme/openapi-schema-validator'
import { parse } from 'yaml'
import { GATEWAY_ERRORS } from '#gateway/http/gateway-error.ts'
import { createProductOperations } from '#gateway/products/index.ts'
import { PRODUCTS } from '#seed/platform-fixtures.ts'
import { createTestDatabase } from '#test/support/test-database.ts'
import { checkResponseAgainstSpec, openApiDocument, specPathFor } from '#test/support/openapi.ts'

const SPEC_PATH = 'api-specs/openapi.yaml'
const run = promisify(execFile)
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

type Operation = {
  operationId: string
  method: string
  path: string
  productType?: string
  productCode?: string
  statuses: string[]
}

function specOperations(): Operation[] {
  const out: Operation[] = []
  for (const [path, item] of Object.entries<any>(openApiDocument.paths)) {
    for (const method of METHODS) {
      const op = item[method]
      if (!op) continue
      out.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        productType: op['x-product-type'],
        productCode: op['x-product-code'],
        statuses: Object.keys(op.responses),
      })
    }
  }
  return out
}

describe('api-specs/openapi.yaml', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(parse(readFileSync(SPEC_PATH, 'utf8')))
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
    expect(openApiDocument.openapi).toBe('3.1.0')
  })

  it('passes the Redocly lint (recommended rules and ours, offline) with no warnings', async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      ['node_modules/@redocly/cli/lib/index.js', 'lint', SPEC_PATH, '--format', 'json'],
      {
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
        timeout: 60_000,
      },
    ).catch((error: { stdout: string; stderr: string }) => error)
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
      totals: { errors: number; warnings: number }
      problems: { ruleId: string; message: string }[]
    }
    expect(
      report.problems.map((p) => `${p.ruleId}: ${p.message}`),
      stderr,
    ).toEqual([])
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 })
  })

  it('declares exactly the operations the gateway serves, with matching method, path, operationId and x-product-code', async () => {
    const database = await createTestDatabase()
    try {
      const served = createProductOperations(database.db)
        .map((op) => `${op.method} ${op.path} ${op.operationId} ${op.productCode}`)
        .sort()
      const declared = specOperations()
        .filter((op) => op.productCode !== undefined)
        .map((op) => `${op.method} ${op.path} ${op.operationId} ${op.productCode}`)
        .sort()
      expect(declared).toEqual(served)
      // Only the document itself is not a product.
      expect(
        specOperations()
          .filter((op) => op.productCode === undefined)
          .map((op) => op.operationId),
      ).toEqual(['getOpenApiDocument'])
    } finally {
      database.destroy()
    }
  })

  it('gives every product operation its form, a seeded published product, examples and every error it can return', () => {
    const forms = new Set<string>()
    for (const op of specOperations().filter((o) => o.productCode)) {
      const product = PRODUCTS.find((p) => p.code === op.productCode)
      expect(product, op.operationId).toBeDefined()
      expect(op.productType).toBe(product!.form)
      forms.add(op.productType!)
      const raw = openApiDocument.paths[op.path][op.method.toLowerCase()]
      const ok = raw.responses[op.statuses.find((s) => s.startsWith('2'))!]
      const okContent = Object.values<any>(ok.content)[0]
      if (okContent.schema?.format !== 'binary')
        expect(okContent.examples ?? okContent.example, `${op.operationId} response example`).toBeDefined()
      if (raw.requestBody)
        expect(Object.values<any>(raw.requestBody.content)[0].examples, `${op.operationId} request example`).toBeDefined()
      const errors = ['400', '401', '403', '404', '423', '429', '451', '500', ...(raw.requestBody ? ['413', '415'] : [])]
      expect(op.statuses, op.operationId).toEqual(expect.arrayContaining(errors))
      expect(ok.headers).toHaveProperty('RateLimit-Limit')
      expect(ok.headers).toHaveProperty('RateLimit-Remaining')
      expect(ok.headers).toHaveProperty('RateLimit-Reset')
      expect(ok.headers).toHaveProperty('X-Request-Id')
    }
    expect([...forms].sort()).toEqual(['component', 'model', 'report', 'service', 'tool', 'verification'])
    // Every apiPath the catalog shows is an operation of the spec, and its example answer conforms to it.
    for (const product of PRODUCTS) {
      const [method, path] = product.apiPath.split(' ') as [string, string]
      const op = specOperations().find((o) => o.method === method && o.path === path && o.productCode === product.code)
      expect(op, product.code).toBeDefined()
      const success = Number(op!.statuses.find((s) => s.startsWith('2')))
      expect(checkResponseAgainstSpec(method, path, success, JSON.parse(product.exampleResponse)), product.code).toEqual([])
      expect(() => JSON.parse(product.exampleRequest), product.code).not.toThrow()
    }
  })

  it('documents Retry-After on 429 and every gateway error code with the status the gateway gives it', () => {
    const tooMany = openApiDocument.components.responses.TooManyRequests
    expect(tooMany.headers['Retry-After']).toEqual({ $ref: '#/components/headers/RetryAfter' })
    expect(openApiDocument.components.headers.RetryAfter.required).toBe(true)
    expect(openApiDocument.components.schemas.ErrorCode.enum.sort()).toEqual(Object.keys(GATEWAY_ERRORS).sort())
    // Each code's status is documented as a response of the product operations (405 is a route-table answer).
    const statuses = new Set(specOperations().flatMap((op) => op.statuses))
    for (const [code, status] of Object.entries(GATEWAY_ERRORS)) {
      // 405 is a route-table answer; 408 and 431 are answered on the connection, before any route.
      if (['method_not_allowed', 'unavailable', 'request_timeout', 'headers_too_large'].includes(code)) continue
      expect(statuses.has(String(status)), `${code} ${status}`).toBe(true)
    }
  })

  it('lets the response checker match templated paths and catch what does not conform', () => {
    expect(specPathFor('/api/v1/reports/district-economy/exports/abc/download')).toBe(
      '/api/v1/reports/district-economy/exports/{id}/download',
    )
    expect(specPathFor('/api/v1/components/enterprises/query')).toBe('/api/v1/components/{view}/query')
    expect(specPathFor('/api/v1/nothing')).toBeUndefined()
    expect(checkResponseAgainstSpec('POST', '/api/v1/verifications/enterprise', 200, { match: true })).toEqual([])
    expect(checkResponseAgainstSpec('POST', '/api/v1/verifications/enterprise', 200, { match: 'yes' })).not.toEqual([])
    expect(checkResponseAgainstSpec('POST', '/api/v1/verifications/enterprise', 418, {})).not.toEqual([])
    expect(
      checkResponseAgainstSpec(
        'GET',
        '/api/v1/reports/district-economy/exports/x/download',
        200,
        Buffer.from('%PDF-'),
        'application/pdf',
      ),
    ).toEqual([])
    expect(
      checkResponseAgainstSpec('GET', '/api/v1/reports/district-economy/exports/x/download', 200, {}, 'text/html'),
    ).not.toEqual([])
  })
})
