import { z } from 'zod'

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
  DEMO_MODE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  SEED_SCALE: z.enum(['small', 'city']).default('city'),
  LAGO_API_URL: z.string().url().optional(),
  LAGO_API_KEY: z.string().optional(),
  // TLS ends at a proxy in front of us: send HSTS and take the host from X-Forwarded-Host. Off, forwarded headers are
  // stripped (a client could forge them) and no HSTS is sent (it would be ignored over plain HTTP).
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
})

export type Env = z.infer<typeof envSchema>

export class EnvError extends Error {}

export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  // Empty strings mean "unset", so `PORT= npm start` falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = envSchema.safeParse(cleaned)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new EnvError(`Invalid environment:\n${lines.join('\n')}`)
  }
  const env = parsed.data
  if (env.NODE_ENV === 'production' && !env.DEMO_MODE) {
    const unset = (['SESSION_SECRET', 'SUBJECT_HASH_KEY'] as const).filter((k) => env[k].startsWith('dev-only-'))
    if (unset.length > 0) {
      throw new EnvError(
        `Invalid environment:\n${unset.map((k) => `  ${k}: must be set outside demo mode in production`).join('\n')}`,
      )
    }
  }
  return env
}
