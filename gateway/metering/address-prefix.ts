import ipaddr from 'ipaddr.js'

/**
 * The network a client address belongs to, for counting anonymous refusals: IPv4 by /24, IPv6 by /48 (an
 * IPv4-mapped IPv6 address counts as IPv4). Anything unparsable is `unknown`.
 */
export function addressPrefixOf(address: string | null | undefined): string {
  if (!address || !ipaddr.isValid(address)) return 'unknown'
  let parsed = ipaddr.parse(address)
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address()
  }
  if (parsed.kind() === 'ipv4') {
    const octets = (parsed as ipaddr.IPv4).octets
    return `${octets[0]}.${octets[1]}.${octets[2]}.0/24`
  }
  const parts = (parsed as ipaddr.IPv6).parts
  return `${ipaddr.IPv6.parse(`${parts[0]!.toString(16)}:${parts[1]!.toString(16)}:${parts[2]!.toString(16)}::`).toString()}/48`
}
