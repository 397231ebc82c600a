import type { z } from 'zod'
import { fieldErrors } from '#platform/validation/field-errors.ts'

/**
 * A posted form read field by field, each with its own schema: the values that parsed, and the first problem of every
 * field that did not (`fieldErrors`, keyed by the field's name). Read one by one, every field's problem is reported at
 * once: an object schema stops before its refinements when one field has the wrong type or an unknown choice.
 */
export function readFields<S extends Record<string, z.ZodTypeAny>>(
  schemas: S,
  form: { [K in keyof S]?: unknown },
): { values: { [K in keyof S]?: z.output<S[K]> }; fields: Record<string, string> } {
  const values: { [K in keyof S]?: z.output<S[K]> } = {}
  const fields: Record<string, string> = {}
  for (const name of Object.keys(schemas) as (keyof S & string)[]) {
    const parsed = schemas[name]!.safeParse(form[name])
    if (parsed.success) values[name] = parsed.data as z.output<S[typeof name]>
    else for (const [field, code] of Object.entries(fieldErrors(parsed.error, { root: name }))) fields[field] ??= code
  }
  return { values, fields }
}
