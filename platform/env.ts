import { z } from 'zod'
import { DATA_KEYRING_FORMAT, DATA_KEYRING_RE } from './crypto/data-keyring.ts'

// Every variable the platform reads, validated once at boot. A bad value stops
// the process with a message naming the variable (see formatEnvError).
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|libsql:|https?:|wss?:)/, 'must start with file:, libsql:, http(s): or ws(s):')
    .default('file:data/platform.db'),
  DATABASE_AUTH_TOKEN: z.string().optional(),
  SESSION_SECRET: z.string().min(16, 'must be at least 16 characters').default('dev-only-session-secret-change-me'),
  // Keys the HMAC of verified subjects kept for the anti-enumeration limit (Art. 13): without it a stored hash of a
  // USCC could be reversed by hashing all codes.
  SUBJECT_HASH_KEY: z.string().min(16, 'must be at least 16 characters').default('dev-only-subject-hash-key-change-me'),
  // Seals natural persons' names, ID numbers and phone numbers at rest (SM4 + SM3-HMAC) and keys their blind indexes:
  // a keyring, current key first (platform/crypto/data-keyring.ts, ADR 0019). Unset: a public development key, only
  // under NODE_ENV test or development.
  DATA_ENCRYPTION_KEY: z.string().regex(DATA_KEYRING_RE, `must be ${DATA_KEYRING_FORMAT}`).optional(),
  DEMO_MODE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  SEED_SCALE: z.enum(['small', 'city']).default('city'),
  LAGO_API_URL: z.string().url().optional(),
  LAGO_API_KEY: z.string().optional(),
  // The log feed to the city's exchange platform (Art. 24; supervision/feed/, ADR 0025): where to POST the batches, and
  // the shared key that signs them (HMAC-SM3). Both unset: the feed is off and nothing is queued.
  SUPERVISION_FEED_URL: z
    .string()
    .url()
    .refine((v) => /^https?:\/\//.test(v), 'must be an http(s) URL')
    .optional(),
  SUPERVISION_FEED_KEY: z.string().optional(),
  // TLS ends at a proxy in front of us: send HSTS and take the host from X-Forwarded-Host. Off, forwarded headers are
  // stripped (a client could forge them) and no HSTS is sent (it would be ignored over plain HTTP).
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  // A password older than this many days must be changed at the next sign-in (GB/T 22239 level 3).
  PASSWORD_MAX_AGE_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
})

export type Env = z.infer<typeof envSchema>

export class EnvError extends Error {}

/** Secrets need this many characters at least: 32 hex characters carry 128 bits. */
export const MIN_SECRET_LENGTH = 32

/**
 * Outside demo mode every secret must be set, must not be a development default and must be long enough; the
 * message names each one. Demo mode generates its own at the first start (seed/demo-state.ts).
 */
function secretProblems(env: Env): string[] {
  const secrets: [string, string | undefined][] = [
    ['SESSION_SECRET', env.SESSION_SECRET],
    ['SUBJECT_HASH_KEY', env.SUBJECT_HASH_KEY],
  ]
  // Unset under NODE_ENV test or development, the public development data key seals (tests' base database); a set one
  // is checked like any secret.
  if (env.DATA_ENCRYPTION_KEY !== undefined || env.NODE_ENV === 'production')
    secrets.push(['DATA_ENCRYPTION_KEY', env.DATA_ENCRYPTION_KEY])
  if (env.LAGO_API_URL) secrets.push(['LAGO_API_KEY', env.LAGO_API_KEY])
  const problems: string[] = []
  for (const [name, value] of secrets) {
    if (value === undefined) problems.push(`  ${name}: must be set`)
    else if (value.startsWith('dev-only-')) problems.push(`  ${name}: is the development default; set a secret of your own`)
    else if (value.length < MIN_SECRET_LENGTH && name !== 'LAGO_API_KEY')
      problems.push(`  ${name}: too short (at least ${MIN_SECRET_LENGTH} characters)`)
  }
  return problems
}

/** The feed's key is required with its URL, at least MIN_SECRET_LENGTH long, and useless without it (never logged). */
function supervisionFeedProblems(env: Env): string[] {
  if (env.SUPERVISION_FEED_URL) {
    if (env.SUPERVISION_FEED_KEY === undefined) return ['  SUPERVISION_FEED_KEY: must be set when SUPERVISION_FEED_URL is set']
    if (env.SUPERVISION_FEED_KEY.length < MIN_SECRET_LENGTH)
      return [`  SUPERVISION_FEED_KEY: too short (at least ${MIN_SECRET_LENGTH} characters)`]
    return []
  }
  return env.SUPERVISION_FEED_KEY !== undefined ? ['  SUPERVISION_FEED_URL: must be set when SUPERVISION_FEED_KEY is set'] : []
}

export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  // Empty strings mean "unset", so `PORT= npm start` falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = envSchema.safeParse(cleaned)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new EnvError(`Invalid environment:\n${lines.join('\n')}`)
  }
  const env = parsed.data
  // In every mode: a feed with no key, or a short one, would send batches anyone could forge.
  const feedProblems = supervisionFeedProblems(env)
  if (feedProblems.length > 0) throw new EnvError(`Invalid environment:\n${feedProblems.join('\n')}`)
  if (!env.DEMO_MODE) {
    const problems = secretProblems(env)
    if (problems.length > 0) throw new EnvError(`Invalid environment (demo mode is off):\n${problems.join('\n')}`)
  }
  return env
}
