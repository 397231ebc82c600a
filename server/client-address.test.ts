import { describe, expect, it } from 'vitest'
import type { IncomingMessage } from 'node:http'
import { clientAddressOf } from './client-address.ts'

const request = (remoteAddress: string, headers: Record<string, string | string[]> = {}) =>
  ({ socket: { remoteAddress }, headers }) as unknown as IncomingMessage

describe('clientAddressOf', () => {
  it('takes the TCP peer and ignores X-Forwarded-For unless TRUST_PROXY is on', () => {
    expect(clientAddressOf(request('127.0.0.2', { 'x-forwarded-for': '203.0.113.9' }), false)).toBe('127.0.0.2')
  })

  it('behind the proxy, takes the entry the proxy appended, never a client-supplied one before it', () => {
    const forged = request('10.0.0.1', { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' })
    expect(clientAddressOf(forged, true)).toBe('203.0.113.9')
    expect(clientAddressOf(request('10.0.0.1', { 'x-forwarded-for': ['198.51.100.1', '203.0.113.7'] }), true)).toBe('203.0.113.7')
    expect(clientAddressOf(request('10.0.0.1'), true)).toBe('10.0.0.1')
  })
})
