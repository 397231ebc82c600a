import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { FEED_SIGNATURE_HEADER, hmacSm3Hex, signFeedBody, verifyFeedSignature } from './sign-feed-batch.ts'

const KEY = '0123456789abcdef0123456789abcdef'

describe('the feed signature (HMAC-SM3 over the exact body)', () => {
  it('matches the test vector of api-specs/supervision-feed.yaml', () => {
    expect(signFeedBody(KEY, '{}')).toBe('hmac-sm3=4256c27bb53f63425d0adf32aa74f5eb0183c2d1cec32252b198ff4a45b0e0d8')
    expect(FEED_SIGNATURE_HEADER).toBe('X-Supervision-Signature')
  })

  it('is HMAC (RFC 2104) with SM3: the GB/T 32905 digest of (K ⊕ opad) ‖ SM3((K ⊕ ipad) ‖ m), computed by hand', async () => {
    const { createHash } = await import('node:crypto')
    const block = Buffer.alloc(64)
    Buffer.from(KEY).copy(block)
    const xor = (pad: number) => Buffer.from(block.map((b) => b ^ pad))
    const inner = createHash('sm3').update(xor(0x36)).update('{"a":1}').digest()
    const outer = createHash('sm3').update(xor(0x5c)).update(inner).digest('hex')
    expect(hmacSm3Hex(KEY, '{"a":1}')).toBe(outer)
    // SM3's own test vector (GB/T 32905-2016, appendix A.1): "abc".
    expect(createHash('sm3').update('abc').digest('hex')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0')
  })

  it('verifies its own signature, over bytes as over the same text', () => {
    const body = '{"records":[{"payload":"沈阳"}]}'
    expect(verifyFeedSignature(KEY, body, signFeedBody(KEY, body))).toBe(true)
    expect(verifyFeedSignature(KEY, Buffer.from(body, 'utf8'), signFeedBody(KEY, body))).toBe(true)
    expect(verifyFeedSignature(KEY, body, ` ${signFeedBody(KEY, body)} `)).toBe(true)
  })

  it('refuses another body, another key, and malformed, missing or upper-case headers', () => {
    const body = '{"firstSeq":1}'
    const good = signFeedBody(KEY, body)
    expect(verifyFeedSignature(KEY, '{"firstSeq":2}', good)).toBe(false)
    expect(verifyFeedSignature(KEY, `${body} `, good)).toBe(false)
    expect(verifyFeedSignature('another key, just as long as the first', body, good)).toBe(false)
    for (const header of [
      null,
      undefined,
      '',
      good.slice(9),
      good.replace('hmac-sm3', 'hmac-sha256'),
      good.toUpperCase(),
      good.slice(0, -2),
      `${good}00`,
      `hmac-sm3=${'z'.repeat(64)}`,
      `${good},${good}`,
    ])
      expect(verifyFeedSignature(KEY, body, header)).toBe(false)
  })

  it('changes with any one flipped byte of the body (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.nat(), (bytes, at) => {
        const signature = signFeedBody(KEY, bytes)
        const flipped = Uint8Array.from(bytes)
        flipped[at % bytes.length]! ^= 1
        expect(verifyFeedSignature(KEY, bytes, signature)).toBe(true)
        expect(verifyFeedSignature(KEY, flipped, signature)).toBe(false)
      }),
      { numRuns: 200 },
    )
  })
})
