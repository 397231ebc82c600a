import { describe, expect, it } from 'vitest'
import { EnvError, readEnv } from './env.ts'

describe('readEnv', () => {
  it('has working defaults', () => {
    const env = readEnv({})
    expect(env).toMatchObject({ PORT: 3000, DATABASE_URL: 'file:data/platform.db', DEMO_MODE: true, SEED_SCALE: 'city' })
  })

  it('names the variable that is wrong', () => {
    expect(() => readEnv({ PORT: 'eighty' })).toThrow(/PORT/)
    expect(() => readEnv({ DATABASE_URL: 'postgres://x' })).toThrow(/DATABASE_URL/)
    expect(() => readEnv({ SEED_SCALE: 'huge' })).toThrow(/SEED_SCALE/)
    expect(() => readEnv({ SESSION_SECRET: 'short' })).toThrow(EnvError)
  })

  it('refuses the development session secret in production outside demo mode', () => {
    expect(() => readEnv({ NODE_ENV: 'production', DEMO_MODE: 'false' })).toThrow(/SESSION_SECRET/)
    expect(() => readEnv({ NODE_ENV: 'production', DEMO_MODE: 'false', SESSION_SECRET: 'a-real-secret-of-some-length' })).toThrow(
      /SUBJECT_HASH_KEY/,
    )
    expect(
      readEnv({
        NODE_ENV: 'production',
        DEMO_MODE: 'false',
        SESSION_SECRET: 'a-real-secret-of-some-length',
        SUBJECT_HASH_KEY: 'another-real-secret-key',
      }).DEMO_MODE,
    ).toBe(false)
  })
})
