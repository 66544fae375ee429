// Monitors as a client drives them: create, read, reconfigure, acknowledge (through the API and
// through sendEventPostUri), stop, terminate and purge; following Location while honouring
// Retry-After; and every way a request can be refused.
import { retryAfterSeconds } from './support/api';
import { useE2e } from './support/suite';

jest.setTimeout(180_000);

const created: string[] = [];
const run = Date.now().toString(36);

interface Monitor {
  name: string;
  running: boolean;
  runtimeStatus: string;
  config: { intervalSeconds: number; target: { url: string } } | null;
  state: {
    status: string;
    lastCheckAt: string | null;
    configRevision: number;
    incident: { id: string; acknowledgedAt?: string; acknowledgedBy?: string } | null;
  } | null;
}

const e2e = useE2e({
  beforeStop: async ({ api, deployment }) => {
    // A deployment outlives the suite: leave no monitor behind.
    if (!deployment.local) for (const name of created) await api.http.delete(`/api/monitors/${name}`);
  },
});

/** A fresh monitor name for this run of the suite. */
function monitorName(label: string): string {
  const name = `e2e-${run}-${label}`;
  created.push(name);
  return name;
}

/** An hour between checks: after the first check nothing changes unless the test does it. */
const config = (path: string, overrides: Record<string, unknown> = {}) => ({
  target: e2e.site.url(path),
  intervalSeconds: 3600,
  failureThreshold: 1,
  recoveryThreshold: 1,
  realertMinutes: 0,
  ...overrides,
});

async function createMonitor(name: string, body: unknown) {
  const res = await e2e.api.http.put(`/api/monitors/${name}`, body);
  expect(res.status).toBe(201);
  expect(res.headers.location).toBe(res.data.monitor);
  expect(res.data).toMatchObject({ name, instanceId: `monitor:${name}`, created: true });
  return res;
}

/** Follows a 202's Location, waiting Retry-After each time, until the monitor satisfies `done`. */
async function followMonitor(accepted: { headers: Record<string, unknown> }, done: (m: Monitor) => boolean) {
  const location = accepted.headers.location as string;
  const interval = retryAfterSeconds(accepted as Parameters<typeof retryAfterSeconds>[0]);
  expect(location).toEqual(expect.any(String));
  expect(interval).toBeGreaterThan(0);
  return e2e.api.pollUntil<Monitor>(location, done, { intervalSeconds: interval, delayFirst: true });
}

test('create, read, list, reconfigure, stop', async () => {
  const name = monitorName('life');
  const createdRes = await createMonitor(name, config('/ok'));

  const first = await e2e.api.pollUntil<Monitor>(
    createdRes.headers.location,
    (m) => m.state?.lastCheckAt != null,
  );
  expect(first).toMatchObject({
    name,
    running: true,
    config: { intervalSeconds: 3600, target: { url: e2e.site.url('/ok') } },
    state: { status: 'up', incident: null, configRevision: 0 },
  });

  const list = await e2e.api.http.get('/api/monitors');
  expect(list.status).toBe(200);
  expect(list.data.monitors.map((m: Monitor) => m.name)).toContain(name);

  const noIncident = await e2e.api.http.post(`/api/monitors/${name}/ack`);
  expect(noIncident.status).toBe(409);
  expect(noIncident.headers['content-type']).toContain('application/problem+json');

  const reconfigured = await e2e.api.http.put(
    `/api/monitors/${name}`,
    config('/ok', { intervalSeconds: 7200 }),
  );
  expect(reconfigured.status).toBe(202);
  expect(reconfigured.data).toMatchObject({ name, reconfigured: true });
  const after = await followMonitor(reconfigured, (m) => m.state?.configRevision === 1);
  expect(after.config?.intervalSeconds).toBe(7200);

  const stopping = await e2e.api.http.delete(`/api/monitors/${name}`);
  expect(stopping.status).toBe(202);
  expect(stopping.data).toMatchObject({ name, stopping: true });
  const stopped = await followMonitor(stopping, (m) => !m.running);
  expect(stopped.runtimeStatus).toBe('Completed');

  expect((await e2e.api.http.delete(`/api/monitors/${name}`)).status).toBe(404);
  expect((await e2e.api.http.post(`/api/monitors/${name}/ack`)).status).toBe(404);
  const listed = await e2e.api.http.get('/api/monitors');
  expect(listed.data.monitors.map((m: Monitor) => m.name)).not.toContain(name);
});

test('an incident is acknowledged through the API; then the run is terminated and purged through its URLs', async () => {
  const name = monitorName('ack');
  const createdRes = await createMonitor(name, config('/broken'));
  const down = await e2e.api.pollUntil<Monitor>(
    createdRes.headers.location,
    (m) => m.state?.incident != null,
  );
  expect(down.state).toMatchObject({ status: 'down', incident: { id: expect.any(String) } });

  const ack = await e2e.api.http.post(`/api/monitors/${name}/ack`, { by: 'e2e on-call' });
  expect(ack.status).toBe(202);
  expect(ack.data).toMatchObject({ name, acknowledging: true, incident: down.state!.incident!.id });
  const acknowledged = await followMonitor(ack, (m) => m.state?.incident?.acknowledgedAt !== undefined);
  expect(acknowledged.state!.incident!.acknowledgedBy).toBe('e2e on-call');
  expect((await e2e.api.http.post(`/api/monitors/${name}/ack`)).status).toBe(409);

  const terminateUri = (createdRes.data.terminatePostUri as string).replace('{text}', 'e2e%20cleanup');
  expect((await e2e.api.http.post(terminateUri)).status).toBe(202);
  const terminated = await e2e.api.pollUntil<{ runtimeStatus: string }>(
    createdRes.data.statusQueryGetUri,
    (s) => s.runtimeStatus === 'Terminated',
  );
  expect(terminated.runtimeStatus).toBe('Terminated');
  const view = await e2e.api.http.get(`/api/runs/${encodeURIComponent(`monitor:${name}`)}`);
  expect(view.data).toMatchObject({ orchestrator: 'watchSite', runtimeStatus: 'Terminated', summary: null });

  const purged = await e2e.api.http.delete(createdRes.data.purgeHistoryDeleteUri);
  expect(purged.status).toBe(200);
  expect(purged.data).toEqual({ instancesDeleted: 1 });
  expect((await e2e.api.http.get(`/api/monitors/${name}`)).status).toBe(404);
  expect((await e2e.api.http.get(`/api/runs/${encodeURIComponent(`monitor:${name}`)}`)).status).toBe(404);
});

test('an incident is acknowledged by raising the event through sendEventPostUri', async () => {
  const name = monitorName('event');
  const createdRes = await createMonitor(name, config('/broken'));
  await e2e.api.pollUntil<Monitor>(createdRes.headers.location, (m) => m.state?.incident != null);

  const eventUri = (createdRes.data.sendEventPostUri as string).replace('{eventName}', 'acknowledge');
  const raised = await e2e.api.http.post(eventUri, { by: 'raw event' });
  expect(raised.status).toBe(202);
  const acknowledged = await e2e.api.pollUntil<Monitor>(
    createdRes.headers.location,
    (m) => m.state?.incident?.acknowledgedAt !== undefined,
  );
  expect(acknowledged.state!.incident!.acknowledgedBy).toBe('raw event');

  const stopping = await e2e.api.http.delete(`/api/monitors/${name}`);
  expect(stopping.status).toBe(202);
  await followMonitor(stopping, (m) => !m.running);
});

describe('bad input: 400 problem+json naming the field', () => {
  const valid = () => config('/ok');
  const cases: Array<[string, string, () => unknown, string]> = [
    ['an upper-case name', 'Shop', valid, 'name'],
    ['a name with a dot', 'shop.example', valid, 'name'],
    ['a name that ends in a hyphen', 'shop-', valid, 'name'],
    ['a 64-character name', 'a'.repeat(64), valid, 'name'],
    ['no target', 'fine', () => ({ ...valid(), target: undefined }), 'target'],
    ['a target without a URL', 'fine', () => ({ ...valid(), target: { method: 'GET' } }), 'target.url'],
    ['an interval under 10 s', 'fine', () => ({ ...valid(), intervalSeconds: 5 }), 'intervalSeconds'],
    ['a threshold of 0', 'fine', () => ({ ...valid(), failureThreshold: 0 }), 'failureThreshold'],
    [
      'a fractional recovery threshold',
      'fine',
      () => ({ ...valid(), recoveryThreshold: 1.5 }),
      'recoveryThreshold',
    ],
    ['a negative realert', 'fine', () => ({ ...valid(), realertMinutes: -1 }), 'realertMinutes'],
    ['an ftp webhook', 'fine', () => ({ ...valid(), webhook: 'ftp://127.0.0.1/hook' }), 'webhook'],
    ['an unknown field', 'fine', () => ({ ...valid(), colour: 'red' }), 'body'],
  ];

  test.each(cases)('PUT with %s', async (_label, name, body, field) => {
    const res = await e2e.api.http.put(`/api/monitors/${name}`, body());
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.data.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  test.each([
    ['invalid JSON', '{"target":', 'body'],
    ['an empty body', '', 'body'],
  ])('PUT with %s', async (_label, body, field) => {
    const res = await e2e.api.http.put('/api/monitors/fine', body, {
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.data.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  test.each([
    ['invalid JSON', '{"by":', 'body'],
    ['a number for by', JSON.stringify({ by: 7 }), 'by'],
    ['a 101-character by', JSON.stringify({ by: 'x'.repeat(101) }), 'by'],
  ])('POST ack with %s', async (_label, body, field) => {
    const res = await e2e.api.http.post('/api/monitors/fine/ack', body, {
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.data.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  test.each([
    ['GET', 'Bad_Name'],
    ['DELETE', 'Bad_Name'],
    ['POST', 'Bad_Name/ack'],
  ])('%s /api/monitors/%s', async (method, path) => {
    const res = await e2e.api.http.request({ method, url: `/api/monitors/${path}` });
    expect(res.status).toBe(400);
    expect(res.data.errors.map((e: { field: string }) => e.field)).toEqual(['name']);
  });

  test('an unknown monitor is 404 for GET, DELETE and ack', async () => {
    const name = `e2e-${run}-never`;
    for (const [method, path] of [
      ['GET', name],
      ['DELETE', name],
      ['POST', `${name}/ack`],
    ]) {
      const res = await e2e.api.http.request({ method, url: `/api/monitors/${path}` });
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });
});
