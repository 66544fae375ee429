// Decides whether Sitewatch may connect to an IP address. Checks fetch URLs that users give it, so
// without this a check could reach the host's loopback services, the private network or the cloud
// metadata endpoint (SSRF). The HTTP client calls this for every address at connect time.
//
// Three scopes:
// - "private": loopback, RFC 1918, CGNAT, link-local, IPv6 ULA/link-local/site-local, local-use NAT64.
//   Real services live there, so `allowPrivateNetworks` (local development, tests, VNet-only deployments)
//   opens them all, and `allowedNetworks` (a CIDR list) opens the listed parts. Loopback opens only
//   when a listed network lies inside loopback: listing 0.0.0.0/0 does not expose the host itself.
// - "never": non-unicast or never-routable addresses (unspecified, broadcast, multicast, documentation,
//   benchmarking, reserved, Teredo, anything outside IPv6 global unicast 2000::/3). No check target
//   legitimately lives there, so no setting opens them.
// - "credential": the cloud platforms' metadata and credential endpoints (AWS/GCP/Azure/OpenStack
//   169.254.169.254 and fd00:ec2::254, Azure's wire server 168.63.129.16, ECS task metadata
//   169.254.170.2, EKS Pod Identity 169.254.170.23 and fd00:ec2::23, Alibaba 100.100.100.200).
//   Reaching one hands out the host's credentials; nothing opens them, whatever else is allowed.
//
// IPv6 forms that embed an IPv4 address are judged by the embedded address: IPv4-mapped ::ffff:a.b.c.d,
// IPv4-translated ::ffff:0:a.b.c.d, NAT64 64:ff9b::/96 and 6to4 2002:aabb:ccdd::/48 (all of which a
// host or a relay may turn into a connection to that IPv4 address). The local-use NAT64 prefix
// 64:ff9b:1::/48 (RFC 8215) may carry the IPv4 address at any RFC 6052 position (/48, /56, /64, /96,
// depending on the operator's prefix), so an address there is refused when any of those positions
// holds a credential endpoint. Teredo obfuscates its embedded address and is refused outright;
// deprecated IPv4-compatible ::a.b.c.d falls under "reserved".
//
// Verdict reasons never contain the address: an error that says which internal address a name
// resolves to tells an attacker about the network behind Sitewatch.
import ipaddr from 'ipaddr.js';

export interface AddressPolicyOptions {
  allowPrivateNetworks: boolean;
  /** Private networks to open even when allowPrivateNetworks is false (see parseAllowedNetworks). */
  allowedNetworks?: readonly AllowedNetwork[];
}

/** One entry of SITEWATCH_ALLOWED_NETWORKS. */
export interface AllowedNetwork {
  /** As written, normalised ("10.1.0.0/16"). */
  readonly cidr: string;
  readonly net: [ipaddr.IPv4 | ipaddr.IPv6, number];
  /** The whole entry lies inside loopback, which is what opening loopback takes. */
  readonly loopback: boolean;
}

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string; range: string };

type Scope = 'private' | 'never' | 'credential';

interface Rule {
  range: string;
  /** A noun phrase: "<host> resolves to ...". */
  what: string;
  scope: Scope;
  nets: [ipaddr.IPv4 | ipaddr.IPv6, number][];
}

function rule(range: string, what: string, scope: Scope, cidrs: string[]): Rule {
  return { range, what, scope, nets: cidrs.map((c) => ipaddr.parseCIDR(c)) };
}

// Most specific first: the first matching rule names the range.
const IPV4_RULES: Rule[] = [
  rule('metadata', 'the cloud instance metadata endpoint', 'credential', ['169.254.169.254/32']),
  rule('azurePlatform', 'the Azure platform endpoint (wire server)', 'credential', ['168.63.129.16/32']),
  rule('containerCredentials', 'a container credential endpoint (ECS, EKS Pod Identity)', 'credential', [
    '169.254.170.2/32',
    '169.254.170.23/32',
  ]),
  rule('metadata', 'the cloud instance metadata endpoint', 'credential', ['100.100.100.200/32']),
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
  rule('documentation', 'an address in a documentation range', 'never', [
    '192.0.2.0/24',
    '198.51.100.0/24',
    '203.0.113.0/24',
  ]),
  rule('benchmarking', 'an address in the benchmarking range (RFC 2544)', 'never', ['198.18.0.0/15']),
  rule('reserved', 'an address in a reserved range', 'never', [
    '192.0.0.0/24',
    '192.88.99.0/24',
    '240.0.0.0/4',
  ]),
];

const IPV6_RULES: Rule[] = [
  rule('unspecified', 'an unspecified address', 'never', ['::/128']),
  rule('loopback', 'a loopback address', 'private', ['::1/128']),
  rule('metadata', 'the cloud instance metadata endpoint', 'credential', ['fd00:ec2::254/128']),
  rule('containerCredentials', 'a container credential endpoint (EKS Pod Identity)', 'credential', [
    'fd00:ec2::23/128',
  ]),
  rule('nat64Local', 'an address in the local-use NAT64 prefix (RFC 8215)', 'private', ['64:ff9b:1::/48']),
  rule('discard', 'an address in the discard-only prefix', 'never', ['100::/64']),
  rule('teredo', 'a Teredo tunnel address', 'never', ['2001::/32']),
  rule('benchmarking', 'an address in the benchmarking range', 'never', ['2001:2::/48']),
  rule('documentation', 'an address in a documentation range', 'never', ['2001:db8::/32', '3fff::/20']),
  rule('reserved', 'an IETF protocol assignment address', 'never', ['2001::/23']),
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

const NAT64_LOCAL = ipv6Cidr('64:ff9b:1::/48');
const bytesOf = (parts: number[]) => parts.flatMap((p) => [p >> 8, p & 0xff]);
// RFC 6052 section 2.2: where each prefix length puts the IPv4 address (byte 8, bits 64-71, is
// always skipped).
const NAT64_LOCAL_POSITIONS: ((bytes: number[]) => number[])[] = [
  (b) => [b[6], b[7], b[9], b[10]], // /48
  (b) => [b[7], b[9], b[10], b[11]], // /56
  (b) => [b[9], b[10], b[11], b[12]], // /64
  (b) => [b[12], b[13], b[14], b[15]], // /96
];

const LOOPBACK_V4 = ipaddr.IPv4.parseCIDR('127.0.0.0/8');

/**
 * Parses a SITEWATCH_ALLOWED_NETWORKS value: CIDRs (or single addresses) separated by commas or
 * whitespace. Throws with the offending entry named when one is not a valid network.
 */
export function parseAllowedNetworks(text: string): AllowedNetwork[] {
  const entries = text.split(/[\s,]+/).filter((e) => e !== '');
  return entries.map((entry) => {
    const withBits = entry.includes('/') ? entry : `${entry}/${entry.includes(':') ? 128 : 32}`;
    let net: [ipaddr.IPv4 | ipaddr.IPv6, number];
    try {
      net = ipaddr.parseCIDR(withBits);
    } catch {
      throw new Error(`${JSON.stringify(entry)} is not a network in CIDR notation (e.g. 10.1.0.0/16)`);
    }
    const [address, bits] = net;
    // Normalise to the network address, so "10.1.2.3/16" means 10.1.0.0/16.
    const base =
      address.kind() === 'ipv4'
        ? ipaddr.IPv4.networkAddressFromCIDR(withBits)
        : ipaddr.IPv6.networkAddressFromCIDR(withBits);
    const loopback =
      base.kind() === 'ipv4'
        ? bits >= 8 && (base as ipaddr.IPv4).match(LOOPBACK_V4)
        : bits === 128 && base.toNormalizedString() === ipaddr.IPv6.parse('::1').toNormalizedString();
    return { cidr: `${base.toString()}/${bits}`, net: [base, bits], loopback };
  });
}

function listed(address: ipaddr.IPv4 | ipaddr.IPv6, rule: Rule, options: AddressPolicyOptions): boolean {
  return (options.allowedNetworks ?? []).some(
    ({ net: [net, bits], loopback }) =>
      address.kind() === net.kind() && address.match(net, bits) && (rule.range !== 'loopback' || loopback),
  );
}

/** Strips URL brackets ("[::1]") and an IPv6 zone ("fe80::1%eth0"). */
export function unbracket(host: string): string {
  const inner = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return inner.includes(':') ? inner.replace(/%.*$/, '') : inner;
}

const PRIVATE_HINT = ' (SITEWATCH_ALLOW_PRIVATE_NETWORKS=true or SITEWATCH_ALLOWED_NETWORKS opens it)';

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
  if (r.scope === 'private' && (options.allowPrivateNetworks || listed(address, r, options))) {
    return { allowed: true };
  }
  return { allowed: false, range: r.range, reason: `${r.what}${r.scope === 'private' ? PRIVATE_HINT : ''}` };
}

function judgeIPv4(address: ipaddr.IPv4, options: AddressPolicyOptions): AddressVerdict {
  return judge(IPV4_RULES, address, options) ?? { allowed: true };
}

const CREDENTIAL_RULES = IPV4_RULES.filter((r) => r.scope === 'credential');

function judgeIPv6(address: ipaddr.IPv6, options: AddressPolicyOptions): AddressVerdict {
  const embedding = EMBEDDINGS.find((e) => address.match(e.net[0], e.net[1]));
  if (embedding !== undefined) {
    const verdict = judgeIPv4(new ipaddr.IPv4(embedding.extract(address.parts)), options);
    if (verdict.allowed) return verdict;
    return {
      ...verdict,
      reason: `${embedding.form === 'IPv4-mapped' ? 'an' : 'a'} ${embedding.form} address embedding ${verdict.reason}`,
    };
  }
  if (address.match(NAT64_LOCAL[0], NAT64_LOCAL[1])) {
    const bytes = bytesOf(address.parts);
    for (const position of NAT64_LOCAL_POSITIONS) {
      const verdict = judge(CREDENTIAL_RULES, new ipaddr.IPv4(position(bytes)), options);
      if (verdict !== undefined && !verdict.allowed) {
        return { ...verdict, reason: `a local-use NAT64 address embedding ${verdict.reason}` };
      }
    }
  }
  const verdict = judge(IPV6_RULES, address, options);
  if (verdict !== undefined) return verdict;
  if (!address.match(IPV6_GLOBAL_UNICAST[0], IPV6_GLOBAL_UNICAST[1])) {
    return {
      allowed: false,
      range: 'reserved',
      reason: 'an address outside IPv6 global unicast (2000::/3)',
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
  return { allowed: false, range: 'invalid', reason: 'not an IP address' };
}

// IPv4 dotted quads, and runs of hex digits, colons and dots that may be IPv6 (checked below).
const ADDRESS_LIKE =
  /(?<![\w.:])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:\.\d{1,3}){0,3})(?![\w])/gi;

/**
 * `text` with every address that the guard would refuse by default (loopback, private, link-local,
 * metadata, ...) replaced by "an internal address". Library error messages name the peer's
 * address; where a check reached inside our network is not for the caller to learn.
 */
export function scrubInternalAddresses(text: string): string {
  if (!/\d[.:]|:[0-9a-f]/i.test(text)) return text;
  return text.replace(ADDRESS_LIKE, (match) => {
    // "::1:80" style (address and port run together) is still an address to hide.
    const verdict = checkAddress(match, { allowPrivateNetworks: false });
    if (verdict.allowed || verdict.range === 'invalid') return match;
    return 'an internal address';
  });
}
