import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { compileIpAllowlist, parseIpAllowlist } from './ip-allowlist.ts'

describe('IP allowlist', () => {
  it('normalises CIDRs and single addresses, IPv4 and IPv6', () => {
    const parsed = parseIpAllowlist(' 10.1.2.3/24, 192.168.0.7\n2001:db8::1/32 ; ::1 ')
    expect(parsed).toMatchObject({ ok: true, normalized: '10.1.2.0/24,192.168.0.7/32,2001:db8::/32,::1/128' })
    expect(parseIpAllowlist('')).toMatchObject({ ok: true, normalized: null })
    expect(parseIpAllowlist(null)).toMatchObject({ ok: true, normalized: null })
  })

  it('names every entry it cannot read', () => {
    expect(parseIpAllowlist('10.0.0.0/33, 10.0.0.1, 300.1.1.1, 127.1, 10.0.0.0/8/1, abc, 2001:db8::/129, 10.0.0.0/x')).toEqual({
      ok: false,
      invalid: ['10.0.0.0/33', '300.1.1.1', '127.1', '10.0.0.0/8/1', 'abc', '2001:db8::/129', '10.0.0.0/x'],
    })
  })

  it('matches addresses inside the ranges only, IPv4-mapped IPv6 as IPv4', () => {
    const list = compileIpAllowlist('10.1.2.0/24,2001:db8::/32')!
    expect(list.allows('10.1.2.200')).toBe(true)
    expect(list.allows('::ffff:10.1.2.9')).toBe(true)
    expect(list.allows('10.1.3.1')).toBe(false)
    expect(list.allows('2001:db8:ffff::1')).toBe(true)
    expect(list.allows('2001:db9::1')).toBe(false)
    expect(list.allows(undefined)).toBe(false)
    expect(list.allows('garbage')).toBe(false)
    expect(compileIpAllowlist(null)).toBeNull()
    expect(compileIpAllowlist('not-an-ip')!.allows('10.0.0.1')).toBe(false)
  })

  it('agrees with integer arithmetic for every IPv4 /n range (property)', () => {
    const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
    const toInt = (p: number[]) => ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0
    fc.assert(
      fc.property(ipv4, fc.integer({ min: 0, max: 32 }), ipv4, (net, bits, probe) => {
        const list = compileIpAllowlist(`${net.join('.')}/${bits}`)!
        const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
        const expected = (toInt(net) & mask) >>> 0 === (toInt(probe) & mask) >>> 0
        return list.allows(probe.join('.')) === expected
      }),
    )
  })
})
