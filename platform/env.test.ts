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
    // Demo mode replaces the defaults with secrets generated at the first start (server/demo-state.ts).
    expect(readEnv({ DEMO_MODE: 'true' }).DEMO_MODE).toBe(true)
  })
})
