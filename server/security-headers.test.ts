import { describe, expect, it } from 'vitest'
import { API_CONTENT_SECURITY_POLICY, createCspNonce, pageContentSecurityPolicy, securityHeaders } from './security-headers.ts'

describe('security headers', () => {
  it('sends the same static set everywhere, HSTS only behind a TLS proxy of ours', () => {
    const plain = securityHeaders({ trustProxy: false })
    expect(plain).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'same-origin',
      'content-security-policy': pageContentSecurityPolicy(),
    })
    expect(plain['strict-transport-security']).toBeUndefined()
    expect(securityHeaders({ trustProxy: true })['strict-transport-security']).toBe('max-age=31536000; includeSubDomains')
    expect(
      securityHeaders({ trustProxy: false, contentSecurityPolicy: API_CONTENT_SECURITY_POLICY })['content-security-policy'],
    ).toBe(API_CONTENT_SECURITY_POLICY)
  })

  it('allows inline scripts only with the nonce, never unsafe-inline or eval, and no framing', () => {
    const nonce = createCspNonce()
    const csp = pageContentSecurityPolicy(nonce)
    const scriptSrc = csp.split('; ').find((d) => d.startsWith('script-src '))
    expect(scriptSrc).toBe(`script-src 'self' 'nonce-${nonce}'`)
    expect(csp).not.toContain('unsafe-eval')
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain("object-src 'none'")
    expect(API_CONTENT_SECURITY_POLICY).toContain("default-src 'none'")
  })

  it('makes a fresh 128-bit nonce each time', () => {
    const nonces = new Set(Array.from({ length: 100 }, createCspNonce))
    expect(nonces.size).toBe(100)
    for (const n of nonces) expect(Buffer.from(n, 'base64')).toHaveLength(16)
  })
})
