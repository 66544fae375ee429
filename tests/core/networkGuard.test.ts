import { checkAddress, unbracket } from '../../src/core/networkGuard';

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

  test('the reason names the address and, for embedded forms, the form', () => {
    const mapped = checkAddress('::ffff:127.0.0.1', strict);
    expect(mapped.allowed).toBe(false);
    if (!mapped.allowed)
      expect(mapped.reason).toMatch(/^IPv4-mapped address .* 127\.0\.0\.1 is a loopback address/);
    const nat64 = checkAddress('64:ff9b::a00:1', strict);
    if (!nat64.allowed) expect(nat64.reason).toMatch(/^NAT64 address .* 10\.0\.0\.1/);
    const sixToFour = checkAddress('2002:7f00:1::1', strict);
    if (!sixToFour.allowed) expect(sixToFour.reason).toMatch(/^6to4 address .* 127\.0\.0\.1/);
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
