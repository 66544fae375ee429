// Starting monitors when Azure refuses a start over a live instance with a 500, not a 409: the create
// race and keepMonitors decide from the instance's status, and one monitor that cannot start never
// keeps the others down.
import { startAppHost, type AppHost } from '../support/appHost';
import { startServer, type TargetServer } from '../support/servers';
import { HostError } from '../host/types';

jest.setTimeout(120_000);

let app: AppHost | undefined;
let target: TargetServer;

beforeAll(async () => {
  target = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
});
afterEach(async () => {
  await app?.stop();
  app = undefined;
});
afterAll(async () => {
  await target.close();
});

const config = () => ({
  target: { url: target.url('/health') },
  intervalSeconds: 60,
  failureThreshold: 2,
  recoveryThreshold: 1,
  realertMinutes: 0,
});

async function start(monitors: Array<{ name: string }>): Promise<AppHost> {
  const host = await startAppHost({
    settings: {
      SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true',
      SITEWATCH_MONITORS: JSON.stringify(monitors.map((m) => ({ ...config(), ...m }))),
    },
  });
  host.host.clock.autoSkip = false;
  return host;
}

test('two PUTs racing to create one monitor: one 201, one 409 (the host answered the loser 500)', async () => {
  app = await start([]);
  const results = await Promise.all([
    app.api.put('monitors/race', config()),
    app.api.put('monitors/race', config()),
  ]);
  expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
  const loser = results.find((r) => r.status === 409)!;
  expect(loser.data.detail).toBe('Monitor race is being created by another request; retry.');
  expect(app.host.durable.listStatus({ instanceIdPrefix: 'monitor:' }).items).toHaveLength(1);
});

test('two keepMonitors fires at once start each monitor once, and neither fails', async () => {
  app = await start([{ name: 'one' }, { name: 'two' }]);
  await Promise.all([app.host.runTimer('keepMonitors'), app.host.runTimer('keepMonitors')]);
  await app.host.waitForIdle();
  const ids = app.host.durable.listStatus({ instanceIdPrefix: 'monitor:' }).items.map((s) => s.instanceId);
  expect(ids.sort()).toEqual(['monitor:one', 'monitor:two']);
});

test('a monitor that fails to start does not stop the others; the next fire starts it', async () => {
  app = await start([{ name: 'alpha' }, { name: 'beta' }]);
  const durable = app.host.durable;
  const startNew = durable.startNew.bind(durable);
  let failures = 0;
  durable.startNew = (name, options) => {
    if (options?.instanceId === 'monitor:alpha' && failures++ === 0)
      throw new HostError(500, 'Something went wrong while processing your request: storage unavailable');
    return startNew(name, options);
  };
  await expect(app.host.runTimer('keepMonitors')).rejects.toThrow('keepMonitors: could not start alpha');
  expect(app.host.status('monitor:alpha')).toBeUndefined();
  expect(app.host.status('monitor:beta')?.runtimeStatus).toMatch(/Pending|Running/);

  await app.host.runTimer('keepMonitors');
  expect(app.host.status('monitor:alpha')?.runtimeStatus).toMatch(/Pending|Running/);
});
