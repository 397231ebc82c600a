import { fail, type DomainError } from '#platform/result.ts'

/**
 * A free-text input of the supervision operations (a stop's reason, an incident's entry, a record's description):
 * trimmed, at least `min` characters when required, at most `max`. The failure names the field, so a form shows it
 * beside its input.
 */
export function checkText(
  value: string | null | undefined,
  field: string,
  opts: { min?: number; max: number; required?: boolean },
): { text: string | null; error: { ok: false; error: DomainError } | null } {
  const text = typeof value === 'string' ? value.trim() || null : null
  const min = opts.min ?? 1
  if (opts.required !== false && (!text || text.length < min))
    return {
      text,
      error: fail('validation', 'validation_failed', `${field} is required (at least ${min} characters)`, {
        [field]: 'required',
      }),
    }
  if (text && text.length > opts.max)
    return {
      text,
      error: fail('validation', 'validation_failed', `${field} is at most ${opts.max} characters`, { [field]: 'length' }),
    }
  return { text, error: null }
}
