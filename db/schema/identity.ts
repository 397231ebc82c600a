import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { createdAt, id, timestamp } from '../columns.ts'

// `auditor`: a third party the bureau lets read every log for a fixed term, and change nothing (Art. 24; ADR 0026).
export const ROLES = ['bureau', 'operator', 'source_unit', 'partner_admin', 'partner_developer', 'auditor'] as const
export type Role = (typeof ROLES)[number]

export const PARTNER_KINDS = ['natural_person', 'legal_person', 'unincorporated_org'] as const

/** 数源单位: a city bureau that holds public data. */
export const sourceUnits = sqliteTable('source_units', {
  id: id(),
  code: text('code').notNull().unique(),
  nameZh: text('name_zh').notNull(),
  nameEn: text('name_en').notNull(),
  createdAt: createdAt(),
})

/** 公共数据合作方 (Art. 2): natural person, legal person or unincorporated organization. */
export const partners = sqliteTable('partners', {
  id: id(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  kind: text('kind', { enum: PARTNER_KINDS }).notNull(),
  uscc: text('uscc'),
  state: text('state', { enum: ['active', 'suspended', 'exited'] })
    .notNull()
    .default('active'),
  createdAt: createdAt(),
})

export const users = sqliteTable('users', {
  id: id(),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  role: text('role', { enum: ROLES }).notNull(),
  // scrypt$N$r$p$salt$hash: never the password itself (docs/decisions/0004-passwords-and-sessions.md).
  passwordHash: text('password_hash').notNull(),
  sourceUnitId: text('source_unit_id').references(() => sourceUnits.id),
  partnerId: text('partner_id').references(() => partners.id),
  lastLoginAt: timestamp('last_login_at'),
  // An initial password set by someone else (CLI, outside demo mode): the first sign-in must change it.
  mustChangePassword: integer('must_change_password', { mode: 'boolean' }).notNull().default(false),
  // Null for rows from before this column: their age counts from created_at.
  passwordChangedAt: timestamp('password_changed_at'),
  // TOTP (RFC 6238) secret, SM4-sealed (platform/crypto/sealed-value.ts), never logged. Null: no second factor.
  totpSecret: text('totp_secret'),
  totpEnabledAt: timestamp('totp_enabled_at'),
  // A secret being enrolled, sealed too; it replaces totp_secret only once a code from it is confirmed.
  totpPendingSecret: text('totp_pending_secret'),
  // The last TOTP time step accepted: a code is good once (RFC 6238 §5.2).
  totpLastTimeStep: integer('totp_last_time_step'),
  // An account granted for a fixed term (auditors, ADR 0026): from this instant it can neither sign in nor use a session.
  accessExpiresAt: timestamp('access_expires_at'),
  // The organisation a third-party account acts for (an auditor's firm); null for the platform's own people.
  organization: text('organization'),
  createdAt: createdAt(),
})

/** One-time recovery codes of a user's second factor: SHA-256 of each (80 random bits), used at most once. */
export const recoveryCodes = sqliteTable(
  'recovery_codes',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    codeHash: text('code_hash').notNull(),
    createdAt: createdAt(),
    usedAt: timestamp('used_at'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.codeHash] })],
)

export const SIGN_IN_THROTTLE_SCOPES = ['account_address', 'address', 'account'] as const
export type SignInThrottleScope = (typeof SIGN_IN_THROTTLE_SCOPES)[number]

/**
 * Sign-in attempts counted per (account, source address), per source address and per account
 * (docs/decisions/0020-sign-in-throttling-and-two-factor.md). Every count is one atomic upsert, so parallel guesses all count.
 * `subject` is the normalised username (known or not: an unknown name is throttled alike), the address (IPv6 by /64),
 * or both as `username address`.
 */
export const signInThrottles = sqliteTable(
  'sign_in_throttles',
  {
    scope: text('scope', { enum: SIGN_IN_THROTTLE_SCOPES }).notNull(),
    subject: text('subject').notNull(),
    username: text('username'),
    address: text('address'),
    // Attempts since the last success (account_address) or within the window (address, account).
    attempts: integer('attempts').notNull().default(0),
    // Attempts refused by the delay (address, account) in this window: counted, never checked.
    refused: integer('refused').notNull().default(0),
    windowStartedAt: timestamp('window_started_at').notNull(),
    lastAttemptAt: timestamp('last_attempt_at').notNull(),
    // Refused until then: a lock (account_address) or a growing delay (address, account).
    blockedUntil: timestamp('blocked_until'),
    lastSuccessAt: timestamp('last_success_at'),
  },
  (t) => [primaryKey({ columns: [t.scope, t.subject] }), index('sign_in_throttles_blocked_idx').on(t.blockedUntil)],
)

export const sessions = sqliteTable(
  'sessions',
  {
    // SHA-256 of the cookie token: a leaked database does not yield live sessions.
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at').notNull(),
    endedAt: timestamp('ended_at'),
    // `second_factor`: the password was right, the TOTP (or a recovery code) is still due; nothing else is reachable.
    stage: text('stage', { enum: ['active', 'second_factor'] })
      .notNull()
      .default('active'),
    // Wrong codes entered in the second_factor stage (the session ends at the limit).
    failedCodes: integer('failed_codes').notNull().default(0),
    // The last TOTP checked in this session (at sign-in or a step-up): step-up actions want it under 5 minutes old.
    twoFactorVerifiedAt: timestamp('two_factor_verified_at'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
)
