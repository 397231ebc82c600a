import ipaddr from 'ipaddr.js'

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number]

export type AllowlistParse = { ok: true; normalized: string | null; ranges: Range[] } | { ok: false; invalid: string[] }

/**
 * Parses an IP allowlist typed by a person: CIDRs or single addresses (IPv4
 * four-part decimal or IPv6), separated by commas, spaces or new lines. Each is
 * normalised to its network address (`10.1.2.3/24` → `10.1.2.0/24`; a single
 * address gets /32 or /128). Empty → null (any address). Returns the entries it
 * could not read.
 */
export function parseIpAllowlist(text: string | null | undefined): AllowlistParse {
  const items = (text ?? '')
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean)
  const invalid: string[] = []
  const ranges: Range[] = []
  for (const item of items) {
    const range = parseOne(item)
    if (range) ranges.push(range)
    else invalid.push(item)
  }
  if (invalid.length > 0) return { ok: false, invalid }
  if (ranges.length === 0) return { ok: true, normalized: null, ranges }
  const normalized = [...new Set(ranges.map(([addr, bits]) => `${addr.toString()}/${bits}`))]
  return { ok: true, normalized: normalized.join(','), ranges }
}

function parseOne(item: string): Range | null {
  const [address, bitsText, extra] = item.split('/')
  if (extra !== undefined || !address) return null
  let addr: ipaddr.IPv4 | ipaddr.IPv6
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) addr = ipaddr.IPv4.parse(address)
  else if (ipaddr.IPv6.isValid(address)) addr = ipaddr.IPv6.parse(address)
  else return null
  const max = addr.kind() === 'ipv4' ? 32 : 128
  let bits = max
  if (bitsText !== undefined) {
    if (!/^\d{1,3}$/.test(bitsText)) return null
    bits = Number(bitsText)
    if (bits > max) return null
  }
  const network =
    addr.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${bits}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${bits}`)
  return [network, bits]
}

/** A compiled allowlist: `allows(ip)` for the caller's socket address (IPv4-mapped IPv6 counts as IPv4). */
export interface IpAllowlist {
  allows(ip: string | null | undefined): boolean
}

/** Compiles a stored allowlist (comma-separated CIDRs). null/empty → allows any address. */
export function compileIpAllowlist(stored: string | null): IpAllowlist | null {
  const parsed = parseIpAllowlist(stored)
  // A stored list that no longer parses admits nobody rather than everybody.
  if (!parsed.ok) return { allows: () => false }
  if (parsed.normalized === null) return null
  const ranges = parsed.ranges
  return {
    allows(ip) {
      if (!ip) return false
      let addr: ipaddr.IPv4 | ipaddr.IPv6
      try {
        addr = ipaddr.process(ip)
      } catch {
        return false
      }
      return ranges.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits))
    },
  }
}
