import fc from 'fast-check'
import type { RawRequest } from '#test/support/raw-http.ts'

type Json = Record<string, any>

export interface FuzzParameter {
  name: string
  in: 'path' | 'query'
  required: boolean
  /** A value the spec gives as valid (its example, or the first of its enum). */
  valid: string
}

export interface FuzzOperation {
  operationId: string
  method: string
  template: string
  parameters: FuzzParameter[]
  /** The spec's example body, for operations that take one. */
  exampleBody?: Json
}

function deref(doc: Json, node: Json | undefined): Json | undefined {
  let current = node
  while (current?.$ref)
    current = (current.$ref as string)
      .replace(/^#\//, '')
      .split('/')
      .reduce<Json>((o, k) => o[k], doc)
  return current
}

/** Every operation of the spec, with a valid value for each parameter and its example body. */
export function specOperations(doc: Json): FuzzOperation[] {
  const operations: FuzzOperation[] = []
  for (const [template, item] of Object.entries(doc.paths as Json)) {
    for (const [method, op] of Object.entries(item as Json)) {
      if (typeof (op as Json).operationId !== 'string') continue
      const parameters = (((op as Json).parameters ?? []) as Json[]).map((p) => {
        const param = deref(doc, p)!
        const schema = deref(doc, param.schema) ?? {}
        const valid = param.example ?? schema.examples?.[0] ?? schema.enum?.[0] ?? schema.default ?? 'x'
        return { name: param.name, in: param.in, required: !!param.required, valid: String(valid) } as FuzzParameter
      })
      const media = deref(doc, (op as Json).requestBody)?.content?.['application/json']
      const exampleBody = media
        ? (media.example ?? (Object.values(media.examples ?? {})[0] as Json | undefined)?.value)
        : undefined
      operations.push({ operationId: (op as Json).operationId, method: method.toUpperCase(), template, parameters, exampleBody })
    }
  }
  return operations
}

/** Strings that broke, or could break, a parser somewhere: encodings, controls, surrogates, sizes, injections. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\r\n',
  '\t',
  '\u007f',
  '\u0085',
  '\u2028',
  '\uFEFF',
  '\uD800',
  '\uDFFF',
  '𝕏',
  '沈阳',
  '%',
  '%zz',
  '%E0%A4%A',
  '%C0%AE',
  '%00',
  '%0d%0a',
  '%25',
  '..',
  '../../etc/passwd',
  '..%2f..%2f',
  '\\',
  '//evil.example',
  '<script>alert(1)</script>',
  "' or 1=1 --",
  '${jndi:ldap://x}',
  '__proto__',
  'constructor',
  'prototype',
  '1e400',
  '-0',
  'NaN',
  'Infinity',
  '9007199254740993',
  'null',
  'true',
  '[]',
  '{}',
  'a'.repeat(5_000),
  '9'.repeat(400),
  '=cmd|" /C calc"!A0',
]

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
)

/** Any JSON value, plus the ones JSON.stringify makes of hostile numbers and strings. */
const hostileJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom(-1, 0, 1.5, 2 ** 53 - 1, -(2 ** 53), 1e308, -1e-308, true, false, null) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 5 }) },
)

/** How a decoded value is put into the request target: encoded, raw bytes, or with a broken escape. */
function encodeInto(value: string, mode: 'encoded' | 'raw' | 'malformed'): Buffer {
  if (mode === 'raw') return Buffer.from(value, 'utf8')
  let encoded: string
  try {
    encoded = encodeURIComponent(value)
  } catch {
    // A lone surrogate cannot be encoded: send its UTF-8 replacement bytes raw.
    return Buffer.from(value, 'utf8')
  }
  return Buffer.from(mode === 'malformed' ? `${encoded}%${encoded.length % 2 ? 'G' : ''}` : encoded, 'latin1')
}

const targetMode = fc.constantFrom<'encoded' | 'raw' | 'malformed'>('encoded', 'encoded', 'encoded', 'raw', 'malformed')

function targetArbitrary(op: FuzzOperation): fc.Arbitrary<{ target: Buffer; note: string }> {
  const paramValue = (p: FuzzParameter) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant({ value: p.valid, mode: 'encoded' as const }) },
      { weight: 2, arbitrary: fc.record({ value: hostileString, mode: targetMode }) },
    )
  const pathParams = op.parameters.filter((p) => p.in === 'path')
  const queryParams = op.parameters.filter((p) => p.in === 'query')
  return fc
    .record({
      path: fc.tuple(...pathParams.map(paramValue)),
      query: fc.tuple(...queryParams.map((p) => fc.option(paramValue(p), { freq: 5, nil: undefined }))),
      extraQuery: fc.option(fc.array(fc.tuple(hostileString, hostileString, targetMode), { maxLength: 4 }), { freq: 3 }),
      repeated: fc.boolean(),
      suffix: fc.constantFrom('', '', '', '', '/', '//', '/..', '?', '#frag', ';x=1', '%2F', '/%2e%2e'),
    })
    .map(({ path, query, extraQuery, repeated, suffix }) => {
      let i = 0
      const parts: Buffer[] = []
      for (const segment of op.template.split(/(\{[^}]+\})/)) {
        if (/^\{[^}]+\}$/.test(segment)) {
          const { value, mode } = path[i++]!
          parts.push(encodeInto(value, mode))
        } else parts.push(Buffer.from(segment))
      }
      parts.push(Buffer.from(suffix))
      const pairs: Buffer[] = []
      queryParams.forEach((p, j) => {
        const chosen = query[j]
        if (!chosen) return
        const pair = Buffer.concat([Buffer.from(`${p.name}=`), encodeInto(chosen.value, chosen.mode)])
        pairs.push(pair)
        if (repeated) pairs.push(pair)
      })
      for (const [name, value, mode] of extraQuery ?? []) {
        pairs.push(Buffer.concat([encodeInto(name, mode), Buffer.from('='), encodeInto(value, mode)]))
      }
      if (pairs.length > 0 && !suffix.includes('?')) parts.push(Buffer.from('?'))
      pairs.forEach((pair, k) => parts.push(k === 0 ? pair : Buffer.concat([Buffer.from('&'), pair])))
      return { target: Buffer.concat(parts), note: 'target' }
    })
}

const methodArbitrary = (op: FuzzOperation) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant(op.method) },
    {
      weight: 2,
      arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'CONNECT', 'PROPFIND'),
    },
    { weight: 1, arbitrary: fc.constantFrom(op.method.toLowerCase(), 'FOO', 'G ET', 'GET\u0000', 'M-SEARCH', '') },
  )

function authArbitrary(key: string): fc.Arbitrary<[string, string | Buffer][]> {
  const one = (value: string | Buffer): [string, string | Buffer][] => [['Authorization', value]]
  return fc.oneof(
    { weight: 14, arbitrary: fc.constant(one(`Bearer ${key}`)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<[string, string | Buffer][]>(
        [],
        one(''),
        one('Bearer'),
        one('Bearer '),
        one('Basic dXNlcjpwYXNz'),
        one(`bearer ${key}`),
        one(`Bearer  ${key}`),
        one(`Bearer ${key} extra`),
        one(`Bearer ${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`),
        one(`Bearer sdp_${'a'.repeat(38)}`),
        one(`Bearer ${'x'.repeat(8_000)}`),
        one(Buffer.from(`Bearer ${key}\xff\xfe`, 'latin1')),
        one(`Bearer ${key},Bearer ${key}`),
        [
          ['Authorization', `Bearer ${key}`],
          ['Authorization', `Bearer ${key}`],
        ],
        [
          ['Authorization', `Bearer ${key}`],
          ['Authorization', 'Bearer sdp_other'],
        ],
        [['authorization', `Bearer ${key}`]],
      ),
    },
    { weight: 1, arbitrary: hostileString.map((s) => one(Buffer.from(`Bearer ${s}`, 'utf8'))) },
  )
}

const contentTypeArbitrary: fc.Arbitrary<[string, string | Buffer][]> = fc.oneof(
  { weight: 14, arbitrary: fc.constant<[string, string][]>([['Content-Type', 'application/json']]) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<[string, string][]>(
      [],
      [['Content-Type', '']],
      [['Content-Type', 'text/plain']],
      [['Content-Type', 'application/json; charset=gbk']],
      [['Content-Type', 'application/json; charset=utf-8']],
      [['Content-Type', 'application/json;charset="UTF-8"']],
      [['Content-Type', 'APPLICATION/JSON']],
      [['Content-Type', 'application/jsonx']],
      [['Content-Type', 'application/x-www-form-urlencoded']],
      [['Content-Type', 'multipart/form-data; boundary=----x']],
      [['Content-Type', 'application/json, text/plain']],
      [['Content-Type', 'application/json; boundary=;;;=; charset']],
      [
        ['Content-Type', 'application/json'],
        ['Content-Type', 'text/plain'],
      ],
      [
        ['Content-Type', 'application/json'],
        ['Content-Type', 'application/json'],
      ],
    ),
  },
)

/** Framing and size attacks; most requests carry none. */
interface ExtraHeaders {
  headers: [string, string | Buffer][]
  label: string
}
const noExtraHeaders: ExtraHeaders = { headers: [], label: '' }
const extraHeadersArbitrary: fc.Arbitrary<ExtraHeaders> = fc.oneof(
  { weight: 20, arbitrary: fc.constant(noExtraHeaders) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<ExtraHeaders>(
      { headers: [['X-Padding', 'a'.repeat(20_000)]] as [string, string][], label: 'oversize header' },
      {
        headers: Array.from({ length: 300 }, (_, i) => [`X-H${i}`, 'v'] as [string, string]),
        label: 'many headers',
      },
      { headers: [['X-Folded', 'a\r\n b']] as [string, string][], label: 'obs-fold' },
      { headers: [['X-Bad', Buffer.from('a\u0000b')]] as [string, Buffer][], label: 'NUL in header' },
      { headers: [['Bad Name', 'x']] as [string, string][], label: 'space in header name' },
      { headers: [['Expect', '100-continue']] as [string, string][], label: 'expect' },
      {
        headers: [
          ['Upgrade', 'websocket'],
          ['Connection', 'Upgrade'],
        ] as [string, string][],
        label: 'upgrade',
      },
      { headers: [['Transfer-Encoding', 'gzip']] as [string, string][], label: 'odd transfer-encoding' },
      {
        headers: [
          ['Host', 'a'],
          ['Host', 'b'],
        ] as [string, string][],
        label: 'two hosts',
      },
    ),
  },
)

/** Bodies: the example, mutated, replaced, malformed, oversize; with Content-Length, chunked, or lying. */
function bodyArbitrary(
  op: FuzzOperation,
): fc.Arbitrary<{ body?: Buffer; chunked?: number; headers: [string, string][]; label: string }> {
  const example = op.exampleBody ?? {}
  const keys = Object.keys(example)
  const json = (value: unknown, label: string) => ({ body: Buffer.from(JSON.stringify(value) ?? 'null'), headers: [], label })
  const raw = (text: string | Buffer, label: string) => ({ body: Buffer.from(text), headers: [], label })
  const structural = fc.oneof(
    { weight: 4, arbitrary: fc.constant(json(example, 'example')) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'extra')), hostileJsonValue)
        .map(([k, v]) => json({ ...example, [k]: v }, 'extra property')),
    },
    ...(keys.length > 0
      ? [
          {
            weight: 4,
            arbitrary: fc
              .tuple(fc.constantFrom(...keys), hostileJsonValue)
              .map(([k, v]) => json({ ...example, [k]: v }, `hostile ${k}`)),
          },
          {
            weight: 1,
            arbitrary: fc.constantFrom(...keys).map((k) => {
              const { [k]: _dropped, ...rest } = example
              return json(rest, `without ${k}`)
            }),
          },
        ]
      : []),
    { weight: 2, arbitrary: hostileJsonValue.map((v) => json(v, 'any JSON')) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        raw('', 'empty'),
        raw('{', 'truncated'),
        raw('{"a":}', 'syntax'),
        raw('nul', 'syntax'),
        raw("{'a':1}", 'single quotes'),
        raw(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'invalid UTF-8'),
        raw(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d]), 'overlong UTF-8'),
        raw(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]), 'UTF-8 surrogate'),
        raw(Buffer.from(JSON.stringify(example), 'utf16le'), 'UTF-16'),
        raw(`\uFEFF${JSON.stringify(example)}`, 'BOM'),
        raw('['.repeat(100) + ']'.repeat(100), 'nested 100'),
        raw('['.repeat(30_000) + ']'.repeat(30_000), 'nested 30000'),
        raw('{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000), 'nested objects'),
        raw(`{"uscc":1e400}`, 'infinite number'),
        raw(`{"uscc":123456789012345678901234567890}`, 'unsafe integer'),
        raw(`{"__proto__":{"isAdmin":true}}`, 'proto key'),
        raw(`{"constructor":{"prototype":{"x":1}}}`, 'constructor key'),
        raw(`{"uscc":"a","uscc":"b"}`, 'duplicate keys'),
        raw(JSON.stringify({ ...example, padding: 'x'.repeat(60_000) }), 'large'),
        raw(`${JSON.stringify(example)}garbage`, 'trailing garbage'),
        raw(`${JSON.stringify(example)}\n${JSON.stringify(example)}`, 'two documents'),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        raw(Buffer.alloc(70_000, 0x20), 'over limit'),
        raw(`[${'1,'.repeat(40_000)}1]`, 'over limit array'),
      ),
    },
  )
  return fc
    .record({
      part: structural,
      framing: fc.constantFrom<'length' | 'chunked' | 'short' | 'none'>(
        'length',
        'length',
        'length',
        'length',
        'chunked',
        'short',
      ),
      chunk: fc.integer({ min: 1, max: 4096 }),
      huge: fc.oneof({ weight: 30, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      withBody: fc.oneof(
        { weight: op.method === 'GET' ? 1 : 10, arbitrary: fc.constant(true) },
        { weight: 3, arbitrary: fc.constant(false) },
      ),
    })
    .map(({ part, framing, chunk, huge, withBody }) => {
      if (huge) return { body: Buffer.alloc(600_000, 0x61), chunked: 16_384, headers: [], label: 'over limit chunked' }
      if (!withBody) return { headers: [], label: 'no body' }
      if (framing === 'chunked') return { ...part, chunked: chunk, label: `${part.label} chunked` }
      if (framing === 'short' && part.body && part.body.length > 1) {
        // Content-Length shorter than the body: the rest is read as a (malformed) next request on the connection.
        return {
          ...part,
          headers: [['Content-Length', String(part.body.length - 1)]] as [string, string][],
          label: `${part.label} short length`,
        }
      }
      return part
    })
}

/** One generated hostile request for some operation of the spec. */
export function hostileRequest(operations: FuzzOperation[], key: string): fc.Arbitrary<{ label: string; request: RawRequest }> {
  const perOperation = operations.map((op) =>
    fc
      .record({
        method: methodArbitrary(op),
        target: targetArbitrary(op),
        auth: authArbitrary(key),
        contentType: contentTypeArbitrary,
        extra: extraHeadersArbitrary,
        body: bodyArbitrary(op),
      })
      .map(({ method, target, auth, contentType, extra, body }) => ({
        label: `${op.operationId === 'getOpenApiDocument' ? 'openapi' : op.operationId} ${body.label} ${extra.label}`.trim(),
        request: {
          method,
          target: target.target,
          headers: [...auth, ...contentType, ...extra.headers, ...body.headers],
          body: body.body,
          chunked: body.chunked,
          noContentLength: body.headers.length > 0,
        } satisfies RawRequest,
      })),
  )
  // Unknown paths and methods too: a scanner does not read the spec.
  const stray = fc
    .record({
      path: hostileString,
      mode: targetMode,
      method: methodArbitrary({ method: 'GET' } as FuzzOperation),
      auth: authArbitrary(key),
    })
    .map(({ path, mode, method, auth }) => ({
      label: 'stray path',
      request: {
        method,
        target: Buffer.concat([Buffer.from('/api/v1/'), encodeInto(path, mode)]),
        headers: auth,
      } satisfies RawRequest,
    }))
  return fc.oneof(...perOperation, stray)
}
