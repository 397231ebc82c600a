import { describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { Validator } from '@seriousme/openapi-schema-validator'
import { parse } from 'yaml'
import { SUPERVISION_FEED_KINDS } from '#db/schema/index.ts'
import { FEED_SIGNATURE_HEADER } from '#supervision/feed/sign-feed-batch.ts'

const SPEC_PATH = 'api-specs/supervision-feed.yaml'
const run = promisify(execFile)

/** The outgoing contract of the log feed (ADR 0025): checked like api-specs/openapi.yaml, with its own lint config. */
describe('api-specs/supervision-feed.yaml', () => {
  const doc = parse(readFileSync(SPEC_PATH, 'utf8')) as Record<string, any>

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(doc)
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
    expect(doc.openapi).toBe('3.1.0')
  })

  it('passes the Redocly lint (recommended rules, offline) with no warnings', async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      [
        'node_modules/@redocly/cli/lib/index.js',
        'lint',
        SPEC_PATH,
        '--config',
        'api-specs/supervision-feed.redocly.yaml',
        '--format',
        'json',
      ],
      {
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
        timeout: 60_000,
      },
    ).catch((error: { stdout: string; stderr: string }) => error)
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
      totals: { errors: number; warnings: number }
      problems: { ruleId: string; message: string }[]
    }
    expect(
      report.problems.map((p) => `${p.ruleId}: ${p.message}`),
      stderr,
    ).toEqual([])
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 })
  })

  it('declares one POST, the signature header the platform sends, and a payload schema for every kind it feeds', () => {
    const ops = Object.values<Record<string, any>>(doc.paths).flatMap((item) => Object.keys(item))
    expect(ops).toEqual(['post'])
    const post = Object.values<Record<string, any>>(doc.paths)[0]!.post
    expect(post.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual([
      `header:${FEED_SIGNATURE_HEADER}`,
    ])
    expect(Object.keys(post.responses).sort()).toEqual(['200', '400', '401', '409', '413', '429', '500', '503'])
    const mapping = doc.components.schemas.Record.discriminator.mapping as Record<string, string>
    expect(Object.keys(mapping).sort()).toEqual([...SUPERVISION_FEED_KINDS].sort())
  })
})
