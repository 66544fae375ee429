import { checkUrl } from '../../src/activities/checkUrl';
import { createGuardedAgents, destroyDefaultAgents, type GuardedAgents } from '../../src/activities/http';
import { CheckSpec, type CheckSpecInput } from '../../src/core/checkSpec';
import {
  allowPrivateNetworks,
  createTestCa,
  respond,
  selfSignedIdentity,
  startServer,
  type TestCa,
  type TargetServer,
} from '../support/servers';

// Tests trust their CA through the agents' `ca` option (added to Node's roots); NODE_EXTRA_CA_CERTS
// would have to be set before the process starts.
let ca: TestCa;
let trusting: GuardedAgents;
let restoreEnv: () => void;
const servers: TargetServer[] = [];

async function serveTls(tls: { key: string; cert: string }, routes = { '/': respond.text('secure') }) {
  const server = await startServer(routes, { tls });
  servers.push(server);
  return server;
}
const check = (input: CheckSpecInput, agents?: GuardedAgents) => checkUrl(CheckSpec.parse(input), { agents });

beforeAll(async () => {
  restoreEnv = allowPrivateNetworks();
  ca = await createTestCa();
  trusting = createGuardedAgents({ allowPrivateNetworks: true, ca: ca.cert });
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(() => {
  trusting.destroy();
  destroyDefaultAgents();
  restoreEnv();
});

test('a self-signed certificate is a TLS failure', async () => {
  const server = await serveTls(await selfSignedIdentity());
  const result = await check({ url: server.url() });
  expect(result).toMatchObject({ ok: false, error: { code: 'TLS' }, assertions: [] });
  expect(result.error?.message).toMatch(/self[- ]signed/i);
  expect(server.requests).toBe(0);
});

test('a certificate expiring soon: days left are reported and minCertDays judges them', async () => {
  const server = await serveTls(await ca.issue({ validDays: 10.5 }));
  const warned = await check({ url: server.url(), expect: { minCertDays: 30 } }, trusting);
  expect(warned).toMatchObject({
    ok: false,
    status: 200,
    certDaysLeft: 10,
    error: { code: 'ASSERTION' },
    assertions: [
      { name: 'status', ok: true },
      { name: 'minCertDays', ok: false, expected: '>= 30 days', actual: 10 },
    ],
  });
  const fine = await check({ url: server.url(), expect: { minCertDays: 7 } }, trusting);
  expect(fine).toMatchObject({ ok: true, certDaysLeft: 10 });
});

test('days left use the injected clock', async () => {
  const server = await serveTls(await ca.issue({ validDays: 10.5 }));
  const inTwoDays = new Date(Date.now() + 2 * 86_400_000);
  const result = await checkUrl(CheckSpec.parse({ url: server.url() }), {
    agents: trusting,
    now: () => inTwoDays,
  });
  expect(result.certDaysLeft).toBe(8);
});

test('the same trusted server is refused by the default agents (the CA is only trusted where injected)', async () => {
  const server = await serveTls(await ca.issue({ validDays: 100 }));
  expect(await check({ url: server.url() })).toMatchObject({ ok: false, error: { code: 'TLS' } });
  expect(await check({ url: server.url() }, trusting)).toMatchObject({ ok: true, certDaysLeft: 99 });
});

test('an expired certificate is a TLS failure', async () => {
  const server = await serveTls(await ca.issue({ validDays: -2 }));
  const result = await check({ url: server.url() }, trusting);
  expect(result).toMatchObject({ ok: false, error: { code: 'TLS' } });
  expect(result.error?.message).toMatch(/expired/i);
});

test('a certificate for another name is a TLS failure', async () => {
  const server = await serveTls(await ca.issue({ hosts: ['other.example'] }));
  const result = await check({ url: server.url() }, trusting);
  expect(result).toMatchObject({ ok: false, error: { code: 'TLS' } });
});

test('days left are read per response, also on new connections (resumed TLS sessions) and reused sockets', async () => {
  const closing = await serveTls(await ca.issue({ validDays: 40.5 }), {
    '/': respond.text('bye', 200, { connection: 'close' }),
  });
  const first = await check({ url: closing.url() }, trusting);
  const second = await check({ url: closing.url() }, trusting);
  expect([first.certDaysLeft, second.certDaysLeft]).toEqual([40, 40]);
  expect(closing.connections).toBe(2);

  const keepAlive = await serveTls(await ca.issue({ validDays: 20.5 }));
  const results = [];
  for (let i = 0; i < 3; i++) results.push(await check({ url: keepAlive.url() }, trusting));
  expect(results.map((r) => r.certDaysLeft)).toEqual([20, 20, 20]);
  expect(keepAlive.connections).toBe(1);
});

test('a plain-http final hop has no certificate figure even after an https hop', async () => {
  const plain = await startServer({ '/': respond.text('plain') });
  servers.push(plain);
  const server = await serveTls(await ca.issue({ validDays: 50.5 }), {
    '/': respond.redirect(302, plain.url()),
  });
  const result = await check({ url: server.url(), expect: { minCertDays: 1 } }, trusting);
  expect(result).toMatchObject({
    ok: false,
    status: 200,
    finalUrl: plain.url(),
    error: { code: 'ASSERTION' },
  });
  expect(result.certDaysLeft).toBeUndefined();
});

describe('a certificate for another name, reached by IP', () => {
  // The policy lets 127.0.0.1 through as if it were public, so the only thing that decides
  // whether the address may be named is allowPrivateNetworks.
  const agents = () => createGuardedAgents({ policy: () => ({ allowed: true }), ca: ca.cert });

  test('the TLS error names no internal address unless private networks are allowed', async () => {
    const server = await serveTls(await ca.issue({ hosts: ['other.test'] }));
    const hidden = agents();
    const shown = agents();
    try {
      const refused = await checkUrl(CheckSpec.parse({ url: server.url() }), {
        agents: hidden,
        allowPrivateNetworks: false,
      });
      expect(refused.error?.code).toBe('TLS');
      expect(refused.error?.message).toContain('an internal address');
      expect(refused.error?.message).not.toContain('127.0.0.1');
      const allowed = await checkUrl(CheckSpec.parse({ url: server.url() }), {
        agents: shown,
        allowPrivateNetworks: true,
      });
      expect(allowed.error?.message).toContain('127.0.0.1');
    } finally {
      hidden.destroy();
      shown.destroy();
    }
  });
});
