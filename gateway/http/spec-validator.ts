import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { GatewayError } from './gateway-error.ts'

type Json = Record<string, unknown>

interface OperationValidators {
  body?: ValidateFunction
  params?: ValidateFunction
}

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

/** zod-like codes, so `fields` reads the same whether the spec or an operation's own schema refused a value. */
const FIELD_CODE: Record<string, string> = {
  additionalProperties: 'unknown_property',
  required: 'required',
  type: 'invalid_type',
  enum: 'invalid_enum_value',
  const: 'invalid_literal',
  minLength: 'too_small',
  minItems: 'too_small',
  minimum: 'too_small',
  exclusiveMinimum: 'too_small',
  maxLength: 'too_big',
  maxItems: 'too_big',
  maximum: 'too_big',
  exclusiveMaximum: 'too_big',
  pattern: 'invalid_string',
  format: 'invalid_string',
}

function fieldsOf(errors: ErrorObject[] | null | undefined): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const e of errors ?? []) {
    const base = e.instancePath.replace(/^\//, '').replace(/\//g, '.')
    const child =
      e.keyword === 'additionalProperties'
        ? (e.params as { additionalProperty: string }).additionalProperty
        : e.keyword === 'required'
          ? (e.params as { missingProperty: string }).missingProperty
          : ''
    const path = [base, child].filter(Boolean).join('.') || 'body'
    fields[path] ??= FIELD_CODE[e.keyword] ?? e.keyword
  }
  return fields
}

/**
 * The request half of the contract, compiled once from api-specs/openapi.yaml: each operation's JSON body schema and
 * its path and query parameters. The gateway checks every call against it before the operation runs, so a property
 * the spec does not declare (`additionalProperties: false`), a missing field or a wrong type is refused exactly as the
 * spec says, whatever the operation's own parsing would have tolerated.
 */
export class SpecRequestValidator {
  readonly #byOperation = new Map<string, OperationValidators>()

  constructor(document: Json) {
    const components = { $id: 'openapi', components: document.components }
    const bodies = new Ajv2020({ strict: false, allErrors: true })
    // Query values arrive as strings: the parameter validator coerces them to the declared types.
    const params = new Ajv2020({ strict: false, allErrors: true, coerceTypes: true, useDefaults: false })
    for (const ajv of [bodies, params]) {
      ;(addFormats as unknown as (a: Ajv2020) => void)(ajv)
      ajv.addSchema(rewriteRefs(components) as Json)
    }
    const paths = (document.paths ?? {}) as Record<string, Json>
    for (const pathItem of Object.values(paths)) {
      for (const method of HTTP_METHODS) {
        const op = pathItem[method] as Json | undefined
        if (!op || typeof op.operationId !== 'string') continue
        const validators: OperationValidators = {}
        const body = deref(document, deref(document, op.requestBody as Json | undefined)?.content as Json | undefined)
        const jsonSchema = (body?.['application/json'] as Json | undefined)?.schema
        if (jsonSchema) validators.body = bodies.compile(rewriteRefs(jsonSchema) as Json)
        const declared = [...((pathItem.parameters as Json[]) ?? []), ...((op.parameters as Json[]) ?? [])].map((p) =>
          deref(document, p)!,
        )
        if (declared.length > 0) {
          const properties: Record<string, unknown> = {}
          const required: string[] = []
          for (const p of declared) {
            properties[`${p.in as string}.${p.name as string}`] = rewriteRefs(p.schema ?? {})
            if (p.required) required.push(`${p.in as string}.${p.name as string}`)
          }
          validators.params = params.compile({ type: 'object', properties, required })
        }
        this.#byOperation.set(op.operationId, validators)
      }
    }
  }

  /** Throws `validation_failed` naming each field unless the path and query parameters match the spec. */
  checkParams(operationId: string, path: Record<string, string>, query: URLSearchParams): void {
    const validate = this.#byOperation.get(operationId)?.params
    if (!validate) return
    const values: Record<string, unknown> = {}
    for (const [name, value] of Object.entries(path)) values[`path.${name}`] = value
    for (const name of new Set(query.keys())) {
      const all = query.getAll(name)
      // A repeated scalar parameter is ambiguous: refuse it rather than pick one.
      if (all.length > 1)
        throw new GatewayError('validation_failed', `Query parameter ${name} is repeated`, { [name]: 'repeated' })
      values[`query.${name}`] = all[0]
    }
    if (validate(values)) return
    const failures = Object.entries(fieldsOf(validate.errors))
    // A path names a resource: one that cannot match its schema names nothing there is (404, like an unknown id).
    if (failures.some(([key]) => key.startsWith('path.'))) throw new GatewayError('not_found', 'No such resource at this path')
    const fields: Record<string, string> = {}
    for (const [key, code] of failures) fields[key.replace(/^query\./, '')] = code
    throw new GatewayError('validation_failed', 'A query parameter does not match the API contract', fields)
  }

  /** Throws `validation_failed` naming each field unless the JSON body matches the operation's request schema. */
  checkBody(operationId: string, body: unknown): void {
    const validate = this.#byOperation.get(operationId)?.body
    if (!validate || validate(body)) return
    throw new GatewayError('validation_failed', 'The body does not match the API contract', fieldsOf(validate.errors))
  }
}

function deref(document: Json, node: Json | undefined): Json | undefined {
  let current = node
  for (let hops = 0; current && typeof current.$ref === 'string' && hops < 16; hops++) {
    const path = current.$ref.replace(/^#\//, '').split('/')
    current = path.reduce<Json | undefined>((o, k) => o?.[k] as Json | undefined, document)
  }
  return current
}

/** `#/components/...` → `openapi#/components/...`, pointing into the schema registered under that id. */
function rewriteRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rewriteRefs)
  if (schema && typeof schema === 'object') {
    return Object.fromEntries(
      Object.entries(schema).map(([k, v]) => [
        k,
        k === '$ref' && typeof v === 'string' && v.startsWith('#') ? `openapi${v}` : rewriteRefs(v),
      ]),
    )
  }
  return schema
}
