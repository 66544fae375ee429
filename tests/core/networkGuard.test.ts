import {
  checkAddress,
  parseAllowedNetworks,
  scrubInternalAddresses,
  unbracket,
} from '../../src/core/networkGuard';

const strict = { allowPrivateNetworks: false };
const permissive = { allowPrivateNetworks: true };

// [address, range] — refused by default; "private" ranges open with allowPrivateNetworks.
const PRIVATE: [string, string][] = [
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'carrierGradeNat'],
  ['100.127.255.255', 'carrierGradeNat'],
  ['169.254.1.1', 'linkLocal'],
  ['::1', 'loopback'],
  ['[::1]', 'loopback'],
  ['fc00::1', 'uniqueLocal'],
  ['fd12:3456:789a::1', 'uniqueLocal'],
  ['[fd00::1]', 'uniqueLocal'],
  ['fe80::1', 'linkLocal'],
  ['fe80::1%eth0', 'linkLocal'],
  ['[fe80::abcd]', 'linkLocal'],
  ['febf::1', 'linkLocal'],
  ['fec0::1', 'siteLocal'],
  ['64:ff9b:1::1', 'nat64Local'],
  // Embedded IPv4 forms are judged by the IPv4 address they carry.
  ['::ffff:127.0.0.1', 'loopback'],
  ['[::ffff:127.0.0.1]', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:192.168.0.1', 'private'],
  ['::ffff:169.254.0.1', 'linkLocal'],
  ['::ffff:100.64.0.1', 'carrierGradeNat'],
  ['::ffff:0:10.0.0.1', 'private'],
  ['64:ff9b::127.0.0.1', 'loopback'],
  ['64:ff9b::a00:1', 'private'],
  ['2002:7f00:1::1', 'loopback'],
  ['2002:c0a8:101::1', 'private'],
];

// Refused whatever the setting.
const NEVER: [string, string][] = [
  ['169.254.169.254', 'metadata'],
  ['::ffff:169.254.169.254', 'metadata'],
  ['64:ff9b::a9fe:a9fe', 'metadata'],
  ['2002:a9fe:a9fe::1', 'metadata'],
  ['fd00:ec2::254', 'metadata'],
  ['168.63.129.16', 'azurePlatform'],
  ['169.254.170.2', 'containerCredentials'],
  ['169.254.170.23', 'containerCredentials'],
  ['fd00:ec2::23', 'containerCredentials'],
  ['100.100.100.200', 'metadata'],
  ['64:ff9b:1:a9fe:a9:fe00::', 'metadata'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['::ffff:0.0.0.0', 'unspecified'],
  ['::', 'unspecified'],
  ['[::]', 'unspecified'],
  ['255.255.255.255', 'broadcast'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['::ffff:224.0.0.1', 'multicast'],
  ['ff02::1', 'multicast'],
  ['ff05::1:3', 'multicast'],
  ['192.0.2.1', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['2001:2::1', 'benchmarking'],
  ['192.0.0.8', 'reserved'],
  ['192.88.99.1', 'reserved'],
  ['240.0.0.1', 'reserved'],
  ['250.1.2.3', 'reserved'],
  ['100::1', 'discard'],
  ['2001::1', 'teredo'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
  ['2001:10::1', 'reserved'],
  ['::127.0.0.1', 'reserved'], // deprecated IPv4-compatible form (not IPv4-mapped)
  ['::7f00:1', 'reserved'],
  ['5f00::1', 'reserved'],
  ['4000::1', 'reserved'],
  ['example.com', 'invalid'],
  ['', 'invalid'],
  ['1.2.3.4.5', 'invalid'],
];

const PUBLIC: string[] = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.215.14',
  '172.15.255.255',
  '172.32.0.1',
  '100.63.255.255',
  '100.128.0.1',
  '169.253.255.255',
  '223.255.255.255',
  '2606:4700:4700::1111',
  '[2606:4700:4700::1111]',
  '2a00:1450:4001:81b::200e',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  '2002:808:808::1',
];

describe('checkAddress', () => {
  test.each(PRIVATE)('%s is refused as %s by default and allowed with allowPrivateNetworks', (ip, range) => {
    const verdict = checkAddress(ip, strict);
    expect(verdict).toEqual({
      allowed: false,
      range,
      reason: expect.stringContaining('SITEWATCH_ALLOW_PRIVATE_NETWORKS'),
    });
    expect(checkAddress(ip, permissive)).toEqual({ allowed: true });
  });

  test.each(NEVER)('%s is always refused as %s', (ip, range) => {
    expect(checkAddress(ip, strict)).toMatchObject({ allowed: false, range });
    expect(checkAddress(ip, permissive)).toMatchObject({ allowed: false, range });
  });

  test.each(PUBLIC)('%s is allowed', (ip) => {
    expect(checkAddress(ip, strict)).toEqual({ allowed: true });
    expect(checkAddress(ip, permissive)).toEqual({ allowed: true });
  });

  test('the reason names the kind of address and the embedding form, never the address', () => {
    const reasons = ['::ffff:127.0.0.1', '64:ff9b::a00:1', '2002:7f00:1::1', '10.9.8.7', 'fd00:ec2::254'].map(
      (ip) => {
        const verdict = checkAddress(ip, strict);
        return verdict.allowed ? 'allowed' : verdict.reason;
      },
    );
    expect(reasons[0]).toMatch(/^an IPv4-mapped address embedding a loopback address/);
    expect(reasons[1]).toMatch(/^a NAT64 address embedding a private network address/);
    expect(reasons[2]).toMatch(/^a 6to4 address embedding a loopback address/);
    expect(reasons[3]).toMatch(/^a private network address \(RFC 1918\)/);
    expect(reasons[4]).toBe('the cloud instance metadata endpoint');
    for (const [i, ip] of ['127.0.0.1', '10.0.0.1', '127.0.0.1', '10.9.8.7'].entries()) {
      expect(reasons[i]).not.toContain(ip);
    }
  });
});

// Metadata and credential endpoints: refused whatever is allowed or listed, in every spelling.
const CREDENTIAL_ENDPOINTS = [
  '169.254.169.254',
  '168.63.129.16',
  'fd00:ec2::254',
  '169.254.170.2',
  '169.254.170.23',
  'fd00:ec2::23',
  '100.100.100.200',
];
const EVERYTHING = parseAllowedNetworks('0.0.0.0/0, ::/0, 127.0.0.0/8, ::1/128');

describe('credential endpoints', () => {
  const ipv4 = CREDENTIAL_ENDPOINTS.filter((ip) => !ip.includes(':'));
  const hex = (ip: string) =>
    ip
      .split('.')
      .map(Number)
      .reduce<number[]>(
        (words, byte, i) => (i % 2 ? [...words.slice(0, -1), words.at(-1)! * 256 + byte] : [...words, byte]),
        [],
      )
      .map((w) => w.toString(16))
      .join(':');
  const spellings = (ip: string): string[] => [
    ip,
    `::ffff:${ip}`,
    `64:ff9b::${ip}`,
    `64:ff9b::${hex(ip)}`,
    // Local-use NAT64 (RFC 8215), at each RFC 6052 position: /96, /64, /56, /48.
    `64:ff9b:1::${hex(ip)}`,
    nat64Local(ip, 64),
    nat64Local(ip, 56),
    nat64Local(ip, 48),
  ];

  test.each(CREDENTIAL_ENDPOINTS.filter((ip) => ip.includes(':')))(
    '%s is refused with everything open',
    (ip) => {
      expect(checkAddress(ip, { allowPrivateNetworks: true, allowedNetworks: EVERYTHING }).allowed).toBe(
        false,
      );
    },
  );

  test.each(ipv4)('%s is refused in every spelling with everything open', (ip) => {
    for (const spelling of spellings(ip)) {
      const verdict = checkAddress(spelling, { allowPrivateNetworks: true, allowedNetworks: EVERYTHING });
      expect({ spelling, allowed: verdict.allowed }).toEqual({ spelling, allowed: false });
    }
  });

  test('a local-use NAT64 address embedding nothing special follows the private-network rules', () => {
    const ordinary = nat64Local('93.184.215.14', 48);
    expect(checkAddress(ordinary, strict)).toMatchObject({ allowed: false, range: 'nat64Local' });
    expect(checkAddress(ordinary, permissive)).toEqual({ allowed: true });
  });
});

/** RFC 6052 section 2.2: the IPv4 address inside 64:ff9b:1::/prefix (byte 8 is always zero). */
function nat64Local(ipv4: string, prefix: 48 | 56 | 64): string {
  const v4 = ipv4.split('.').map(Number);
  const bytes = [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const at = { 48: [6, 7, 9, 10], 56: [7, 9, 10, 11], 64: [9, 10, 11, 12] }[prefix];
  at.forEach((position, i) => (bytes[position] = v4[i]));
  const words = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return words.join(':');
}

describe('allowedNetworks (SITEWATCH_ALLOWED_NETWORKS)', () => {
  const listed = (text: string) => ({
    allowPrivateNetworks: false,
    allowedNetworks: parseAllowedNetworks(text),
  });

  test('opens the listed private networks and nothing else', () => {
    const options = listed('10.1.0.0/16, fd12::/48');
    expect(checkAddress('10.1.2.3', options)).toEqual({ allowed: true });
    expect(checkAddress('::ffff:10.1.2.3', options)).toEqual({ allowed: true });
    expect(checkAddress('fd12::5', options)).toEqual({ allowed: true });
    expect(checkAddress('10.2.0.1', options)).toMatchObject({ allowed: false, range: 'private' });
    expect(checkAddress('fd13::5', options)).toMatchObject({ allowed: false, range: 'uniqueLocal' });
    expect(checkAddress('127.0.0.1', options)).toMatchObject({ allowed: false, range: 'loopback' });
  });

  test('loopback opens only when a listed network lies inside it', () => {
    expect(checkAddress('127.0.0.1', listed('0.0.0.0/0')).allowed).toBe(false);
    expect(checkAddress('::1', listed('::/0')).allowed).toBe(false);
    expect(checkAddress('10.0.0.1', listed('0.0.0.0/0')).allowed).toBe(true);
    expect(checkAddress('127.0.0.1', listed('127.0.0.1')).allowed).toBe(true);
    expect(checkAddress('127.0.0.2', listed('127.0.0.1')).allowed).toBe(false);
    expect(checkAddress('::1', listed('::1')).allowed).toBe(true);
    expect(checkAddress('::ffff:127.0.0.1', listed('127.0.0.0/8')).allowed).toBe(true);
  });

  test('never opens what is refused outright', () => {
    const options = listed('0.0.0.0/0, ::/0');
    for (const ip of ['0.0.0.0', '224.0.0.1', '192.0.2.1', '2001::1', '::', '169.254.169.254']) {
      expect(checkAddress(ip, options).allowed).toBe(false);
    }
  });

  test('parses commas and whitespace, normalises to the network, and names a bad entry', () => {
    expect(parseAllowedNetworks(' 10.1.2.3/16,\tfd12::1/48  192.168.5.5 ').map((n) => n.cidr)).toEqual([
      '10.1.0.0/16',
      'fd12::/48',
      '192.168.5.5/32',
    ]);
    expect(parseAllowedNetworks('')).toEqual([]);
    expect(() => parseAllowedNetworks('10.0.0.0/8,nope')).toThrow('"nope" is not a network in CIDR notation');
    expect(() => parseAllowedNetworks('10.0.0.0/33')).toThrow('"10.0.0.0/33"');
  });
});

describe('scrubInternalAddresses', () => {
  test.each([
    ['connect ECONNREFUSED 10.1.2.3:80', 'connect ECONNREFUSED an internal address:80'],
    ['connect ECONNREFUSED ::1:80', 'connect ECONNREFUSED an internal address'],
    ['IP: 169.254.169.254 is not in the list', 'IP: an internal address is not in the list'],
    ['peer [fd00::5]:443 and ::ffff:192.168.1.1', 'peer [an internal address]:443 and an internal address'],
    ['public 8.8.8.8:53 stays', 'public 8.8.8.8:53 stays'],
    ['at 12:50:20 on 2026.11.30', 'at 12:50:20 on 2026.11.30'],
    ['version 1.2.3 only', 'version 1.2.3 only'],
  ])('%s', (text, expected) => {
    expect(scrubInternalAddresses(text)).toBe(expected);
  });
});

describe('unbracket', () => {
  test.each([
    ['[::1]', '::1'],
    ['[fe80::1%25eth0]', 'fe80::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['127.0.0.1', '127.0.0.1'],
    ['example.com', 'example.com'],
  ])('%s -> %s', (input, output) => {
    expect(unbracket(input)).toBe(output);
  });
});
