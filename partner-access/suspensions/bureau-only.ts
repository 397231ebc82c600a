// Who may suspend and resume: platform/identity/permissions.ts (the bureau, and the CLI on its behalf).
import { fail } from '#platform/result.ts'

export const SUSPENSION_REASON_MIN_LENGTH = 4
export const SUSPENSION_REASON_MAX_LENGTH = 500

/** A suspension needs a reason (it is shown to supervisors and in the audit log). */
export function checkReason(reason: string | null | undefined, required: boolean) {
  const text = reason?.trim() || null
  if (required && (!text || text.length < SUSPENSION_REASON_MIN_LENGTH)) {
    return {
      text,
      error: fail('validation', 'validation_failed', 'Give the reason (at least 4 characters)', { reason: 'required' }),
    }
  }
  if (text && text.length > SUSPENSION_REASON_MAX_LENGTH) {
    return {
      text,
      error: fail('validation', 'validation_failed', `The reason is at most ${SUSPENSION_REASON_MAX_LENGTH} characters`, {
        reason: 'length',
      }),
    }
  }
  return { text, error: null }
}
