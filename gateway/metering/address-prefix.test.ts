import { describe, expect, it } from 'vitest'
import { addressPrefixOf } from './address-prefix.ts'

describe('addressPrefixOf', () => {
  it('groups IPv4 by /24, IPv6 by /48, mapped IPv4 as IPv4, and anything else as unknown', () => {
    expect(addressPrefixOf('203.0.113.77')).toBe('203.0.113.0/24')
    expect(addressPrefixOf('::ffff:127.0.0.1')).toBe('127.0.0.0/24')
    expect(addressPrefixOf('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48')
    expect(addressPrefixOf('::1')).toBe('::/48')
    expect(addressPrefixOf(undefined)).toBe('unknown')
    expect(addressPrefixOf('not an address')).toBe('unknown')
  })
})
