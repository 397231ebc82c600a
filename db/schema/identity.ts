import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { createdAt, id, timestamp } from '../columns.ts'

export const ROLES = ['bureau', 'operator', 'source_unit', 'partner_admin', 'partner_developer'] as const
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
  failedAttempts: integer('failed_attempts').notNull().default(0),
  lockedUntil: timestamp('locked_until'),
  lastLoginAt: timestamp('last_login_at'),
  createdAt: createdAt(),
})

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
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
)
