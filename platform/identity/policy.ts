import type { Role } from '#db/schema/index.ts'

// Sign-in, session and second-factor rules (ADR 0004; throttling and 2FA in docs/decisions/0020-sign-in-throttling-and-two-factor.md).

/** Consecutive failures from one address against one account before that pair is locked. */
export const MAX_FAILED_ATTEMPTS = 5
/** How long a locked (account, address) pair is refused, even with the right password. */
export const LOCKOUT_MS = 15 * 60 * 1000
/** Failures from one address (all accounts, known or not) within the window before each attempt waits. */
export const ADDRESS_FREE_ATTEMPTS = 30
/** Failures on one account (all addresses) within the window before unfamiliar addresses wait. */
export const ACCOUNT_FREE_ATTEMPTS = 10
/** The window of the address and account counts: it restarts after this long without an attempt. */
export const THROTTLE_WINDOW_MS = 15 * 60 * 1000
/** The growing delay: 1 s, doubled with each further failure, up to these. */
export const THROTTLE_BASE_DELAY_MS = 1000
export const ADDRESS_MAX_DELAY_MS = 15 * 60 * 1000
/** Capped low: this one can touch a victim (from an unfamiliar address), so it only slows, never locks. */
export const ACCOUNT_MAX_DELAY_MS = 60 * 1000
/** An address this account signed in from within this period is familiar: the account's delay does not apply to it. */
export const FAMILIAR_ADDRESS_MS = 90 * 86_400_000

export const IDLE_TIMEOUT_MS = 30 * 60 * 1000
/** lastSeenAt is written at most this often, so browsing is not one write per request. */
export const SESSION_TOUCH_MS = 60 * 1000

/** A password-checked session waiting for its second factor lasts this long. */
export const SECOND_FACTOR_PENDING_MS = 5 * 60 * 1000
/** Wrong codes in one pending session before it ends (the password must be given again). */
export const MAX_CODE_ATTEMPTS = 5
/** The most consequential actions want a TOTP checked within this long (step-up). */
export const STEP_UP_MAX_AGE_MS = 5 * 60 * 1000

/** GB/T 22239-2019 level 3: length and character classes of a password. */
export const MIN_PASSWORD_LENGTH = 12
export const MIN_PASSWORD_CLASSES = 3
export const MAX_PASSWORD_LENGTH = 200
export const DEFAULT_PASSWORD_MAX_AGE_DAYS = 90

/** Roles that must have a second factor outside demo mode. */
export const TWO_FACTOR_REQUIRED_ROLES: readonly Role[] = ['bureau', 'operator', 'auditor']

/** What the environment decides about accounts (from DEMO_MODE and PASSWORD_MAX_AGE_DAYS; see authPolicyOf). */
export interface AuthPolicy {
  demoMode: boolean
  passwordMaxAgeDays: number
}

export const DEFAULT_AUTH_POLICY: AuthPolicy = { demoMode: false, passwordMaxAgeDays: DEFAULT_PASSWORD_MAX_AGE_DAYS }

export function authPolicyOf(env: { DEMO_MODE: boolean; PASSWORD_MAX_AGE_DAYS?: number }): AuthPolicy {
  return { demoMode: env.DEMO_MODE, passwordMaxAgeDays: env.PASSWORD_MAX_AGE_DAYS ?? DEFAULT_PASSWORD_MAX_AGE_DAYS }
}

export const isTwoFactorRequired = (role: Role, policy: AuthPolicy) =>
  !policy.demoMode && TWO_FACTOR_REQUIRED_ROLES.includes(role)

/** Each role's home page. */
export const ROLE_HOME: Record<Role, string> = {
  bureau: '/bureau',
  operator: '/operator',
  source_unit: '/source-unit',
  partner_admin: '/partner',
  partner_developer: '/developer',
  auditor: '/audit',
}

/** Pages of every signed-in user, whatever the role. */
export const ACCOUNT_PASSWORD_PATH = '/account/password'
export const ACCOUNT_TWO_FACTOR_PATH = '/account/two-factor'
export const STEP_UP_PATH = '/account/step-up'
export const SECOND_FACTOR_PATH = '/login/two-factor'
