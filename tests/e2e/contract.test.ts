// The served OpenAPI document is valid OpenAPI 3.1 (checked by a real validator), and every
// documented operation answers as the document says: each answer below goes through the contract
// check in support/api.ts (status documented, media type, headers, body against the JSON Schema).
import { validateOpenApi } from './support/openapiValidator';
import { createApi, type Api } from './support/api';
import { startDeployment, type Deployment } from './support/deployment';
import { startTargetSite, type TargetSite } from './support/targetSite';

jest.setTimeout(180_000);

let deployment: Deployment;
let api: Api;
let site: TargetSite;

beforeAll(async () => {
  site = await startTargetSite();
  deployment = await startDeployment();
  api = await createApi(deployment);
});

afterAll(async () => {
  await deployment?.stop();
  await site?.close();
});

test('GET /api/openapi.json is a valid OpenAPI 3.1 document whose server is this API', async () => {
  const res = await api.http.get('/api/openapi.json');
  expect(res.status).toBe(200);
  const verdict = await validateOpenApi(res.data);
  expect(verdict).toEqual({ valid: true, errors: null, version: '3.1' });
  expect(res.data.servers).toEqual([{ url: `${deployment.origin}/api` }]);
});

test('every documented operation answers as documented', async () => {
  const name = `e2e-contract-${Date.now().toString(36)}`;
  const runs: string[] = [];

  const check = await api.http.post('/api/checks', { targets: [site.url('/ok'), site.url('/missing')] });
  runs.push(check.data.id);
  await api.followUntilDone(check);
  await api.http.post('/api/checks?wait=30', { targets: [site.url('/ok')] });
  await api.http.post('/api/checks', { targets: [] });

  const audit = await api.http.post('/api/audits', { url: site.url('/page') });
  runs.push(audit.data.id);
  await api.followUntilDone(audit);
  await api.http.post('/api/audits?wait=30', { url: site.url('/page') });
  await api.http.post('/api/audits', { url: 'ftp://127.0.0.1/' });

  for (const id of runs) await api.http.get(`/api/runs/${id}`);
  await api.http.get('/api/runs/no-such-run');

  const monitor = {
    target: site.url('/broken'),
    intervalSeconds: 3600,
    failureThreshold: 1,
    recoveryThreshold: 1,
    realertMinutes: 0,
  };
  const created = await api.http.put(`/api/monitors/${name}`, monitor);
  await api.pollUntil<{ state: { incident: unknown } | null }>(
    created.headers.location,
    (m) => m.state?.incident != null,
  );
  await api.http.get('/api/monitors');
  await api.http.get(`/api/monitors/${name}`);
  await api.http.put(`/api/monitors/${name}`, { ...monitor, intervalSeconds: 1800 });
  await api.http.post(`/api/monitors/${name}/ack`, { by: 'contract' });
  await api.http.post(`/api/monitors/${name}/ack`, { by: 'contract' });
  await api.http.delete(`/api/monitors/${name}`);
  await api.http.get('/api/monitors/no-such-monitor');
  await api.http.get('/api/openapi.json');

  // Each operation answered at least once with success and the answers matched the document.
  for (const operationId of api.contract.operationIds()) {
    expect([...api.seen].filter((s) => s.startsWith(`${operationId} 2`))).not.toEqual([]);
  }
  expect([...api.seen]).toEqual(
    expect.arrayContaining([
      'startChecks 202',
      'startChecks 200',
      'startChecks 400',
      'startAudit 202',
      'startAudit 200',
      'startAudit 400',
      'getRun 200',
      'getRun 404',
      'putMonitor 201',
      'putMonitor 202',
      'acknowledgeMonitor 202',
      'acknowledgeMonitor 409',
      'stopMonitor 202',
      'getMonitor 404',
    ]),
  );
});

test('the contract check rejects answers that differ from the document', async () => {
  const started = await api.http.post('/api/checks?wait=30', { targets: [site.url('/ok')] });
  expect(started.status).toBe(200);
  const url = `${deployment.origin}/api/checks`;
  const json = { 'content-type': 'application/json' };

  const summaryless = { ...started.data, summary: undefined };
  expect(
    api.contract.check({ method: 'POST', url, status: 200, headers: json, body: summaryless })?.errors,
  ).not.toEqual([]);
  const wrongType = { ...started.data, name: 7 };
  expect(
    api.contract.check({ method: 'POST', url, status: 200, headers: json, body: wrongType })?.errors,
  ).not.toEqual([]);
  expect(
    api.contract.check({ method: 'POST', url, status: 201, headers: json, body: started.data })?.errors,
  ).not.toEqual([]);
  expect(
    api.contract.check({
      method: 'POST',
      url,
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: 'ok',
    })?.errors,
  ).not.toEqual([]);
  // A 202 must carry Location and Retry-After.
  const accepted = await api.http.post('/api/checks', { targets: [site.url('/ok')] });
  const { 'retry-after': _dropped, ...withoutRetryAfter } = accepted.headers as Record<string, string>;
  const verdict = api.contract.check({
    method: 'POST',
    url,
    status: 202,
    headers: withoutRetryAfter,
    body: accepted.data,
  });
  expect(verdict?.errors).toEqual(['startChecks 202 lacks the Retry-After header']);
  await api.followUntilDone(accepted);
  // An error must be a problem document, and an unknown path must be a 404.
  const notFound = `${deployment.origin}/api/nope`;
  expect(
    api.contract.check({ method: 'GET', url: notFound, status: 404, headers: json, body: {} })?.errors,
  ).not.toEqual([]);
  expect(
    api.contract.check({
      method: 'GET',
      url: notFound,
      status: 200,
      headers: { 'content-type': 'application/problem+json' },
      body: { type: 'about:blank', title: 'Not Found', status: 404 },
    })?.errors,
  ).toEqual(['unknown path /nope answered 200, not 404']);
});
