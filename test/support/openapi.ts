import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { parse } from 'yaml'

type Json = Record<string, any>

export const openApiDocument: Json = parse(readFileSync(new URL('../../api-specs/openapi.yaml', import.meta.url), 'utf8'))

const ajv = new Ajv2020({ strict: false, allErrors: true })
;(addFormats as unknown as (a: Ajv2020) => void)(ajv)
ajv.addSchema({ $id: 'openapi', ...openApiDocument, openapi: undefined, info: undefined, paths: undefined })

function deref(node: Json): Json {
  let current = node
  while (current?.$ref) {
    const path = (current.$ref as string).replace(/^#\//, '').split('/')
    current = path.reduce<Json>((o, k) => o[k], openApiDocument)
  }
  return current
}

function rewriteRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rewriteRefs)
  if (schema && typeof schema === 'object') {
    return Object.fromEntries(
      Object.entries(schema).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? `openapi${v}` : rewriteRefs(v)]),
    )
  }
  return schema
}

/** The spec's path for a concrete request path: itself, or the template it matches (literal segments win). */
export function specPathFor(path: string): string | undefined {
  const paths = Object.keys(openApiDocument.paths ?? {})
  if (paths.includes(path)) return path
  const segments = path.split('/')
  const matches = paths.filter((template) => {
    const t = template.split('/')
    return t.length === segments.length && t.every((part, i) => /^\{[^}]+\}$/.test(part) || part === segments[i])
  })
  // The most literal segments first: /exports/{id}/download before /{a}/{b}/download.
  const literal = (template: string) => template.split('/').filter((part) => !part.startsWith('{')).length
  return matches.sort((a, b) => literal(b) - literal(a))[0]
}

/**
 * Checks a real response against the spec: the status must be documented for
 * the operation (the path may be concrete: it is matched against the spec's
 * templates), the content type must be one the response declares, and a JSON
 * body must match its schema. Returns the problems (empty when it conforms).
 */
export function checkResponseAgainstSpec(
  method: string,
  path: string,
  status: number,
  body: unknown,
  contentType = 'application/json',
): string[] {
  const template = specPathFor(path.split('?')[0]!)
  const operation = template ? openApiDocument.paths[template]?.[method.toLowerCase()] : undefined
  if (!operation) return [`${method} ${path} is not in the spec`]
  const response = operation.responses?.[String(status)] ?? operation.responses?.default
  if (!response) return [`status ${status} is not documented for ${method} ${template}`]
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase()
  const content = deref(response).content ?? {}
  const media = content[mediaType]
  if (!media)
    return [
      `content type ${mediaType} is not documented for ${status} of ${method} ${template} (${Object.keys(content).join(', ')})`,
    ]
  const schema = deref(media.schema ?? {})
  if (mediaType !== 'application/json') {
    const isBinary = schema.type === 'string' && (schema.format === 'binary' || schema.contentMediaType)
    if (isBinary && (Buffer.isBuffer(body) || body instanceof Uint8Array || typeof body === 'string')) return []
    return isBinary ? [`expected a binary body for ${mediaType}`] : []
  }
  if (!media.schema) return [`no JSON schema for ${status} of ${method} ${template}`]
  const validate = ajv.compile(rewriteRefs(media.schema) as Json)
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}`)
}

/** Checks a fetch Response (body read by the caller) against the spec, taking the status and content type from it. */
export function checkFetchAgainstSpec(method: string, path: string, res: Response, body: unknown): string[] {
  return checkResponseAgainstSpec(method, path, res.status, body, res.headers.get('content-type') ?? 'application/json')
}

/** Fails the test unless a response conforms to the spec (see checkResponseAgainstSpec). */
export function expectConformsToSpec(method: string, path: string, res: Response, body: unknown): void {
  const problems = checkFetchAgainstSpec(method, path, res, body)
  if (problems.length > 0)
    throw new Error(`${method} ${path} → ${res.status} does not conform to the spec:\n${problems.join('\n')}`)
}

/**
 * One call to the gateway, its response checked against the spec. A JSON answer is parsed, a file comes back as a
 * Buffer. `key: null` sends no Authorization header.
 */
export async function callGateway(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  opts: { key?: string | null; body?: unknown; demoKey: string },
): Promise<{ res: Response; body: any }> {
  const headers: Record<string, string> = {}
  const key = opts.key === undefined ? opts.demoKey : opts.key
  if (key !== null) headers.authorization = `Bearer ${key}`
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
  })
  const type = res.headers.get('content-type') ?? ''
  const body = type.startsWith('application/json') ? await res.json() : Buffer.from(await res.arrayBuffer())
  expectConformsToSpec(method, path, res, body)
  return { res, body }
}
