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

/**
 * Checks a real response against the spec: the status must be documented for
 * the operation and the JSON body must match its schema. Returns the problems
 * (empty when it conforms).
 */
export function checkResponseAgainstSpec(method: string, path: string, status: number, body: unknown): string[] {
  const operation = openApiDocument.paths?.[path]?.[method.toLowerCase()]
  if (!operation) return [`${method} ${path} is not in the spec`]
  const response = operation.responses?.[String(status)] ?? operation.responses?.default
  if (!response) return [`status ${status} is not documented for ${method} ${path}`]
  const schema = deref(response).content?.['application/json']?.schema
  if (!schema) return [`no JSON schema for ${status} of ${method} ${path}`]
  const validate = ajv.compile(rewriteRefs(schema) as Json)
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}`)
}
