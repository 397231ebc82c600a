import type { Role } from '#db/schema/index.ts'

export const MAX_FAILED_ATTEMPTS = 5
export const LOCKOUT_MS = 15 * 60 * 1000
export const IDLE_TIMEOUT_MS = 30 * 60 * 1000
/** lastSeenAt is written at most this often, so browsing is not one write per request. */
export const SESSION_TOUCH_MS = 60 * 1000

/** Each role's home page. */
export const ROLE_HOME: Record<Role, string> = {
  bureau: '/bureau',
  operator: '/operator',
  source_unit: '/source-unit',
  partner_admin: '/partner',
  partner_developer: '/developer',
}
