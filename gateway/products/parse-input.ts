import type { z } from 'zod'
import { explainUscc } from '#platform/codes/uscc.ts'
import { fieldErrors } from '#platform/validation/field-errors.ts'
import { GatewayError } from '../http/gateway-error.ts'

/** Parses a body or query with a zod schema; on failure throws `validation_failed` naming each field. */
export function parseInput<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown, message: string): T {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  throw new GatewayError('validation_failed', message, fieldErrors(parsed.error, { root: 'body', codes: 'issue' }))
}

/** A USCC from the caller, trimmed and upper-cased; throws `validation_failed` unless its check character is right. */
export function parseUscc(raw: string, field = 'uscc'): string {
  const uscc = raw.trim().toUpperCase()
  const check = explainUscc(uscc)
  if (!check.valid) {
    throw new GatewayError('validation_failed', `${field} is not a valid unified social credit code (${check.reason})`, {
      [field]: check.reason ?? 'invalid',
    })
  }
  return uscc
}

/** The USCC a body names, normalised, for the distinct-subjects limit; undefined when the body has none. */
export function usccSubjectOf({ body }: { body: unknown }): string | undefined {
  const raw = (body as { uscc?: unknown } | null | undefined)?.uscc
  return typeof raw === 'string' && raw.trim() !== '' ? raw.trim().toUpperCase() : undefined
}
