import type { LookupAddress } from 'node:dns';
import { checkUrl } from '../../src/activities/checkUrl';
import {
  createGuardedAgents,
  destroyDefaultAgents,
  guardedRequest,
  type Resolver,
} from '../../src/activities/http';
import { CheckSpec, type CheckSpecInput } from '../../src/core/checkSpec';
import { checkAddress } from '../../src/core/networkGuard';
import { respond, startServer, type TargetServer } from '../support/servers';

// The guard's real defaults refuse loopback, so tests that need an "allowed" target use an injected
// policy and resolver: 127.0.0.1 plays a public address, everything else goes through the real
// network guard with private networks refused. Names resolve from a fixed table (never real DNS).
const names: Record<string, string[]> = {
  'allowed.test': ['127.0.0.1'],
  'refused.test': ['127.0.0.2'],
  'mixed.test': ['127.0.0.1', '10.0.0.1'],
};
const resolve: Resolver = async (hostname) => {
  const addresses = names[hostname];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return addresses.map((address): LookupAddress => ({ address, family: 4 }));
};
const policy = (ip: string) =>
  ip === '127.0.0.1' ? ({ allowed: true } as const) : checkAddress(ip, { allowPrivateNetworks: false });

let agents = createGuardedAgents({ policy, resolve });
let previousEnv: string | undefined;
const servers: TargetServer[] = [];
async function serve(...args: Parameters<typeof startServer>) {
  const server = await startServer(...args);
  servers.push(server);
  return server;
}
const check = (input: CheckSpecInput) => checkUrl(CheckSpec.parse(input), { agents });

beforeAll(() => {
  previousEnv = process.env.SITEWATCH_ALLOW_PRIVATE_NETWORKS;
  delete process.env.SITEWATCH_ALLOW_PRIVATE_NETWORKS;
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  agents.destroy();
  agents = createGuardedAgents({ policy, resolve });
});
afterAll(() => {
  agents.destroy();
  destroyDefaultAgents();
  if (previousEnv !== undefined) process.env.SITEWATCH_ALLOW_PRIVATE_NETWORKS = previousEnv;
});

describe('default policy (no SITEWATCH_ALLOW_PRIVATE_NETWORKS)', () => {
  test.each([
    ['an IP literal', (port: number) => `http://127.0.0.1:${port}/`],
    ['localhost (resolved at connect time)', (port: number) => `http://localhost:${port}/`],
    ['an IPv6 literal', (port: number) => `http://[::1]:${port}/`],
    ['an IPv4-mapped IPv6 literal', (port: number) => `http://[::ffff:127.0.0.1]:${port}/`],
    ['a decimal IPv4 host', (port: number) => `http://2130706433:${port}/`],
    ['an octal IPv4 host', (port: number) => `http://0177.0.0.01:${port}/`],
    ['a hex IPv4 host', (port: number) => `http://0x7f.0x0.0x0.0x1:${port}/`],
    ['a NAT64 literal', (port: number) => `http://[64:ff9b::7f00:1]:${port}/`],
  ])('loopback via %s is BLOCKED and never reached', async (_label, url) => {
    const server = await serve({ '/': respond.text('secret admin page') });
    const result = await checkUrl(CheckSpec.parse({ url: url(server.port) }));
    expect(result).toMatchObject({ ok: false, error: { code: 'BLOCKED' }, assertions: [] });
    expect(result.error?.message).toMatch(/loopback/);
    expect(server.requests).toBe(0);
  });

  test('the setting is read at call time', async () => {
    const server = await serve({ '/': respond.text('ok') });
    process.env.SITEWATCH_ALLOW_PRIVATE_NETWORKS = 'true';
    try {
      expect(await checkUrl(CheckSpec.parse({ url: server.url() }))).toMatchObject({ ok: true });
    } finally {
      delete process.env.SITEWATCH_ALLOW_PRIVATE_NETWORKS;
    }
    // A socket pooled while private networks were allowed is not reused now that they are not.
    expect(await checkUrl(CheckSpec.parse({ url: server.url() }))).toMatchObject({
      error: { code: 'BLOCKED' },
    });
    expect(server.requests).toBe(1);
  });

  test('SITEWATCH_ALLOWED_NETWORKS opens loopback only when it is listed itself; a bad value throws', async () => {
    const server = await serve({ '/': respond.text('ok') });
    const run = () => checkUrl(CheckSpec.parse({ url: server.url() }));
    try {
      process.env.SITEWATCH_ALLOWED_NETWORKS = '10.0.0.0/8, 0.0.0.0/0';
      expect(await run()).toMatchObject({ ok: false, error: { code: 'BLOCKED' } });
      process.env.SITEWATCH_ALLOWED_NETWORKS = '10.0.0.0/8,127.0.0.1/32';
      expect(await run()).toMatchObject({ ok: true, status: 200 });
      // A misconfiguration is our fault, not the target's: it throws (and the orchestrator retries).
      process.env.SITEWATCH_ALLOWED_NETWORKS = '10.0.0.0/8,not-a-network';
      await expect(run()).rejects.toThrow('SITEWATCH_ALLOWED_NETWORKS: "not-a-network"');
    } finally {
      delete process.env.SITEWATCH_ALLOWED_NETWORKS;
    }
    expect(server.requests).toBe(1);
  });

  test('the metadata endpoint is BLOCKED even with private networks allowed', async () => {
    const result = await guardedRequest('http://169.254.169.254/metadata/instance', {
      allowPrivateNetworks: true,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'BLOCKED' } });
  });
});

describe('with an injected policy and resolver', () => {
  test('an allowed name is checked normally', async () => {
    const server = await serve({ '/': respond.text('hi') });
    expect(await check({ url: `http://allowed.test:${server.port}/` })).toMatchObject({
      ok: true,
      status: 200,
    });
  });

  test('a redirect to a refused IP literal is BLOCKED, with the hop recorded', async () => {
    const victim = await serve({ '/': respond.text('internal') }, { host: '127.0.0.2' });
    const server = await serve({ '/': respond.redirect(302, victim.url('/')) });
    const result = await check({ url: server.url() });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'BLOCKED' },
      finalUrl: victim.url('/'),
      redirects: [{ url: server.url(), status: 302, location: victim.url('/') }],
    });
    expect(victim.requests).toBe(0);
  });

  test('a redirect to a name that resolves to a refused address is BLOCKED at connect time', async () => {
    const victim = await serve({ '/': respond.text('internal') }, { host: '127.0.0.2' });
    const server = await serve({ '/': respond.redirect(301, `http://refused.test:${victim.port}/`) });
    const result = await check({ url: `http://allowed.test:${server.port}/` });
    expect(result).toMatchObject({ ok: false, error: { code: 'BLOCKED' }, redirects: [{ status: 301 }] });
    // The host as written and the kind of address, never the address it resolved to.
    expect(result.error?.message).toMatch(
      /^Refused to connect to refused\.test: it resolves to a loopback address/,
    );
    expect(result.error?.message).not.toContain('127.0.0.2');
    expect(victim.requests).toBe(0);
  });

  test('a name with any refused address is BLOCKED', async () => {
    const server = await serve({ '/': respond.text('hi') });
    expect(await check({ url: `http://mixed.test:${server.port}/` })).toMatchObject({
      error: { code: 'BLOCKED' },
    });
    expect(server.requests).toBe(0);
  });

  test('DNS rebinding: every new connection resolves and checks again', async () => {
    const server = await serve({ '/': respond.text('bye', 200, { connection: 'close' }) });
    let calls = 0;
    const rebinding: Resolver = async () => [
      { address: calls++ === 0 ? '127.0.0.1' : '127.0.0.2', family: 4 },
    ];
    const rebound = createGuardedAgents({ policy, resolve: rebinding });
    try {
      const url = `http://rebind.test:${server.port}/`;
      const spec = CheckSpec.parse({ url });
      expect(await checkUrl(spec, { agents: rebound })).toMatchObject({ ok: true });
      expect(await checkUrl(spec, { agents: rebound })).toMatchObject({
        ok: false,
        error: { code: 'BLOCKED' },
      });
      expect(server.requests).toBe(1);
    } finally {
      rebound.destroy();
    }
  });

  test('an unresolvable name is DNS', async () => {
    const result = await check({ url: 'http://nowhere.invalid/' });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'DNS', message: expect.stringContaining('ENOTFOUND') },
    });
  });

  test('a redirect to another scheme is BLOCKED', async () => {
    const server = await serve({ '/': respond.redirect(302, 'file:///etc/passwd') });
    const result = await check({ url: server.url() });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'BLOCKED', message: expect.stringContaining('file:') },
      redirects: [{ location: 'file:///etc/passwd' }],
    });
  });
});
