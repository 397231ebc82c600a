import { describe, expect, it } from 'vitest'
import { EnvError, readEnv } from './env.ts'
import { DEV_DATA_ENCRYPTION_KEY } from './crypto/data-keyring.ts'

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

  it('outside demo mode, refuses to start while any secret is missing, a development default or too short, naming each', () => {
    const strong = 'a'.repeat(32)
    for (const NODE_ENV of ['production', 'development', 'test']) {
      expect(() => readEnv({ NODE_ENV, DEMO_MODE: 'false' })).toThrow(/SESSION_SECRET: is the development default/)
      expect(() => readEnv({ NODE_ENV, DEMO_MODE: 'false' })).toThrow(/SUBJECT_HASH_KEY: is the development default/)
    }
    expect(() => readEnv({ DEMO_MODE: 'false', SESSION_SECRET: 'b'.repeat(20), SUBJECT_HASH_KEY: strong })).toThrow(
      /SESSION_SECRET: too short/,
    )
    expect(() =>
      readEnv({ DEMO_MODE: 'false', SESSION_SECRET: strong, SUBJECT_HASH_KEY: strong, LAGO_API_URL: 'http://lago:3000' }),
    ).toThrow(/LAGO_API_KEY: must be set/)
    expect(readEnv({ DEMO_MODE: 'false', SESSION_SECRET: strong, SUBJECT_HASH_KEY: 'c'.repeat(40) }).DEMO_MODE).toBe(false)
    // Demo mode replaces the defaults with secrets generated at the first start (seed/demo-state.ts).
    expect(readEnv({ DEMO_MODE: 'true' }).DEMO_MODE).toBe(true)
  })

  it('takes DATA_ENCRYPTION_KEY as a keyring; outside demo mode production needs one of its own', () => {
    const strong = 'a'.repeat(32)
    const base = { DEMO_MODE: 'false', SESSION_SECRET: strong, SUBJECT_HASH_KEY: strong }
    expect(() => readEnv({ ...base, NODE_ENV: 'production' })).toThrow(/DATA_ENCRYPTION_KEY: must be set/)
    expect(() => readEnv({ ...base, NODE_ENV: 'production', DATA_ENCRYPTION_KEY: DEV_DATA_ENCRYPTION_KEY })).toThrow(
      /DATA_ENCRYPTION_KEY: is the development default/,
    )
    expect(() => readEnv({ DATA_ENCRYPTION_KEY: 'k1:not-hex' })).toThrow(/DATA_ENCRYPTION_KEY: must be/)
    // The refusal names the variable, never its value.
    let message = ''
    try {
      readEnv({ DATA_ENCRYPTION_KEY: `k1:${'ab'.repeat(15)}` })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/DATA_ENCRYPTION_KEY/)
    expect(message).not.toContain('abab')
    const ring = `k2:${'cd'.repeat(32)},k1:${'ab'.repeat(16)}`
    expect(readEnv({ ...base, NODE_ENV: 'production', DATA_ENCRYPTION_KEY: ring }).DATA_ENCRYPTION_KEY).toBe(ring)
    // Under test and development the public development key seals when none is set (platform/crypto/data-keyring.ts).
    expect(readEnv({ ...base, NODE_ENV: 'test' }).DATA_ENCRYPTION_KEY).toBeUndefined()
  })
  it('takes the supervision feed only as a URL with a key of at least 32 characters, in every mode', () => {
    expect(readEnv({}).SUPERVISION_FEED_URL).toBeUndefined()
    expect(() => readEnv({ SUPERVISION_FEED_URL: 'https://exchange.example/feed' })).toThrow(/SUPERVISION_FEED_KEY: must be set/)
    expect(() =>
      readEnv({ SUPERVISION_FEED_URL: 'https://exchange.example/feed', SUPERVISION_FEED_KEY: 'k'.repeat(31) }),
    ).toThrow(/SUPERVISION_FEED_KEY: too short/)
    expect(() => readEnv({ SUPERVISION_FEED_KEY: 'k'.repeat(40) })).toThrow(/SUPERVISION_FEED_URL: must be set/)
    expect(() => readEnv({ SUPERVISION_FEED_URL: 'ftp://exchange.example/feed', SUPERVISION_FEED_KEY: 'k'.repeat(40) })).toThrow(
      /SUPERVISION_FEED_URL/,
    )
    expect(() => readEnv({ SUPERVISION_FEED_URL: 'not a url', SUPERVISION_FEED_KEY: 'k'.repeat(40) })).toThrow(
      /SUPERVISION_FEED_URL/,
    )
    // The key never appears in a message.
    let message = ''
    try {
      readEnv({ SUPERVISION_FEED_URL: 'https://exchange.example/feed', SUPERVISION_FEED_KEY: 'secret-but-short' })
    } catch (error) {
      message = String(error)
    }
    expect(message).toMatch(/SUPERVISION_FEED_KEY: too short/)
    expect(message).not.toContain('secret-but-short')
    const env = readEnv({ SUPERVISION_FEED_URL: 'https://exchange.example/feed', SUPERVISION_FEED_KEY: 'k'.repeat(32) })
    expect(env.SUPERVISION_FEED_KEY).toHaveLength(32)
  })
})
