// Decides whether Sitewatch may connect to an IP address. Checks fetch URLs that users give it, so
// without this a check could reach the host's loopback services, the private network or the cloud
// metadata endpoint (SSRF). The HTTP client calls this for every address at connect time.
//
// Two scopes:
// - "private": loopback, RFC 1918, CGNAT, link-local, IPv6 ULA/link-local/site-local, local-use NAT64.
//   Real services live there, so `allowPrivateNetworks` (local development, tests, VNet-only deployments)
//   opens them.
// - "never": non-unicast or never-routable addresses (unspecified, broadcast, multicast, documentation,
//   benchmarking, reserved, Teredo, anything outside IPv6 global unicast 2000::/3) and the cloud platform
//   endpoints (169.254.169.254 / fd00:ec2::254 instance metadata, Azure's 168.63.129.16). No check target
//   legitimately lives there and reaching the metadata endpoint leaks credentials, so no setting opens them.
//
// IPv6 forms that embed an IPv4 address are judged by the embedded address: IPv4-mapped ::ffff:a.b.c.d,
// IPv4-translated ::ffff:0:a.b.c.d, NAT64 64:ff9b::/96 and 6to4 2002:aabb:ccdd::/48 (all of which a
// host or a relay may turn into a connection to that IPv4 address). Teredo obfuscates its embedded
// address and is refused outright; deprecated IPv4-compatible ::a.b.c.d falls under "reserved".
import ipaddr from 'ipaddr.js';

export interface AddressPolicyOptions {
  allowPrivateNetworks: boolean;
}

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string; range: string };

type Scope = 'private' | 'never';

interface Rule {
  range: string;
  /** Completes "<address> is ...". */
  what: string;
  scope: Scope;
  nets: [ipaddr.IPv4 | ipaddr.IPv6, number][];
}

function rule(range: string, what: string, scope: Scope, cidrs: string[]): Rule {
  return { range, what, scope, nets: cidrs.map((c) => ipaddr.parseCIDR(c)) };
}

// Most specific first: the first matching rule names the range.
const IPV4_RULES: Rule[] = [
  rule('metadata', 'the cloud instance metadata endpoint', 'never', ['169.254.169.254/32']),
  rule('azurePlatform', 'the Azure platform endpoint (wire server)', 'never', ['168.63.129.16/32']),
  rule('unspecified', 'an unspecified address', 'never', ['0.0.0.0/8']),
  rule('broadcast', 'the broadcast address', 'never', ['255.255.255.255/32']),
  rule('loopback', 'a loopback address', 'private', ['127.0.0.0/8']),
  rule('private', 'a private network address (RFC 1918)', 'private', [
    '10.0.0.0/8',
    '172.16.0.0/12',
    '192.168.0.0/16',
  ]),
  rule('carrierGradeNat', 'a carrier-grade NAT address (RFC 6598)', 'private', ['100.64.0.0/10']),
  rule('linkLocal', 'a link-local address', 'private', ['169.254.0.0/16']),
  rule('multicast', 'a multicast address', 'never', ['224.0.0.0/4']),
  rule('documentation', 'in a documentation range', 'never', [
    '192.0.2.0/24',
    '198.51.100.0/24',
    '203.0.113.0/24',
  ]),
  rule('benchmarking', 'in the benchmarking range (RFC 2544)', 'never', ['198.18.0.0/15']),
  rule('reserved', 'in a reserved range', 'never', ['192.0.0.0/24', '192.88.99.0/24', '240.0.0.0/4']),
];

const IPV6_RULES: Rule[] = [
  rule('unspecified', 'an unspecified address', 'never', ['::/128']),
  rule('loopback', 'a loopback address', 'private', ['::1/128']),
  rule('metadata', 'the cloud instance metadata endpoint', 'never', ['fd00:ec2::254/128']),
  rule('nat64Local', 'in the local-use NAT64 prefix (RFC 8215)', 'private', ['64:ff9b:1::/48']),
  rule('discard', 'in the discard-only prefix', 'never', ['100::/64']),
  rule('teredo', 'a Teredo tunnel address', 'never', ['2001::/32']),
  rule('benchmarking', 'in the benchmarking range', 'never', ['2001:2::/48']),
  rule('documentation', 'in a documentation range', 'never', ['2001:db8::/32', '3fff::/20']),
  rule('reserved', 'an IETF protocol assignment', 'never', ['2001::/23']),
  rule('uniqueLocal', 'a unique local address (fc00::/7)', 'private', ['fc00::/7']),
  rule('linkLocal', 'a link-local address', 'private', ['fe80::/10']),
  rule('siteLocal', 'a site-local address (deprecated)', 'private', ['fec0::/10']),
  rule('multicast', 'a multicast address', 'never', ['ff00::/8']),
];

const IPV6_GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR('2000::/3');

interface Embedding {
  form: string;
  net: [ipaddr.IPv6, number];
  extract(parts: number[]): number[];
}

const lastTwoWords = (parts: number[]) => [parts[6] >> 8, parts[6] & 0xff, parts[7] >> 8, parts[7] & 0xff];
const EMBEDDINGS: Embedding[] = [
  { form: 'IPv4-mapped', net: ipv6Cidr('::ffff:0:0/96'), extract: lastTwoWords },
  { form: 'IPv4-translated', net: ipv6Cidr('::ffff:0:0:0/96'), extract: lastTwoWords },
  { form: 'NAT64', net: ipv6Cidr('64:ff9b::/96'), extract: lastTwoWords },
  {
    form: '6to4',
    net: ipv6Cidr('2002::/16'),
    extract: (p) => [p[1] >> 8, p[1] & 0xff, p[2] >> 8, p[2] & 0xff],
  },
];

function ipv6Cidr(cidr: string): [ipaddr.IPv6, number] {
  return ipaddr.IPv6.parseCIDR(cidr);
}

/** Strips URL brackets ("[::1]") and an IPv6 zone ("fe80::1%eth0"). */
export function unbracket(host: string): string {
  const inner = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return inner.includes(':') ? inner.replace(/%.*$/, '') : inner;
}

/** The verdict of the first matching rule, or undefined when no rule matches. */
function judge(
  rules: Rule[],
  address: ipaddr.IPv4 | ipaddr.IPv6,
  options: AddressPolicyOptions,
): AddressVerdict | undefined {
  const r = rules.find((x) =>
    x.nets.some(([net, bits]) => address.kind() === net.kind() && address.match(net, bits)),
  );
  if (r === undefined) return undefined;
  if (r.scope === 'private' && options.allowPrivateNetworks) return { allowed: true };
  const hint = r.scope === 'private' ? ' (SITEWATCH_ALLOW_PRIVATE_NETWORKS=true allows it)' : '';
  return { allowed: false, range: r.range, reason: `${address.toString()} is ${r.what}${hint}` };
}

function judgeIPv4(address: ipaddr.IPv4, options: AddressPolicyOptions): AddressVerdict {
  return judge(IPV4_RULES, address, options) ?? { allowed: true };
}

function judgeIPv6(address: ipaddr.IPv6, options: AddressPolicyOptions): AddressVerdict {
  const embedding = EMBEDDINGS.find((e) => address.match(e.net[0], e.net[1]));
  if (embedding !== undefined) {
    const verdict = judgeIPv4(new ipaddr.IPv4(embedding.extract(address.parts)), options);
    if (verdict.allowed) return verdict;
    return {
      ...verdict,
      reason: `${embedding.form} address ${address.toString()} embeds an IPv4 address: ${verdict.reason}`,
    };
  }
  const verdict = judge(IPV6_RULES, address, options);
  if (verdict !== undefined) return verdict;
  if (!address.match(IPV6_GLOBAL_UNICAST[0], IPV6_GLOBAL_UNICAST[1])) {
    return {
      allowed: false,
      range: 'reserved',
      reason: `${address.toString()} is outside IPv6 global unicast (2000::/3)`,
    };
  }
  return { allowed: true };
}

/** Canonical IPv6 text via the WHATWG URL parser (ipaddr.js misreads "::a.b.c.d" as IPv4-mapped). */
function canonicalIPv6(text: string): string | undefined {
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
}

/**
 * May Sitewatch connect to `ip`? Accepts IPv4, IPv6, bracketed IPv6 ("[::1]") and zoned IPv6.
 * Anything that is not an IP address is refused (range "invalid").
 */
export function checkAddress(ip: string, options: AddressPolicyOptions): AddressVerdict {
  const text = unbracket(ip.trim());
  if (text.includes(':')) {
    const canonical = canonicalIPv6(text);
    if (canonical !== undefined && ipaddr.IPv6.isValid(canonical)) {
      return judgeIPv6(ipaddr.IPv6.parse(canonical), options);
    }
  } else if (ipaddr.IPv4.isValid(text)) {
    return judgeIPv4(ipaddr.IPv4.parse(text), options);
  }
  return { allowed: false, range: 'invalid', reason: `${JSON.stringify(ip)} is not an IP address` };
}
