// The served OpenAPI document is valid OpenAPI 3.1 (checked by a real validator), and every
// documented operation answers as the document says: each answer below goes through the contract
// check in support/api.ts (status documented, media type, headers, body against the JSON Schema).
import { validateOpenApi } from './support/openapiValidator';
import { useE2e } from './support/suite';

jest.setTimeout(180_000);

const e2e = useE2e();

test('GET /api/openapi.json is a valid OpenAPI 3.1 document whose server is this API', async () => {
  const res = await e2e.api.http.get('/api/openapi.json');
  expect(res.status).toBe(200);
  const verdict = await validateOpenApi(res.data);
  expect(verdict).toEqual({ valid: true, errors: null, version: '3.1' });
  expect(res.data.servers).toEqual([{ url: `${e2e.deployment.origin}/api` }]);
});

test('every documented operation answers as documented', async () => {
  const name = `e2e-contract-${Date.now().toString(36)}`;
  const runs: string[] = [];

  const check = await e2e.api.http.post('/api/checks', {
    targets: [e2e.site.url('/ok'), e2e.site.url('/missing')],
  });
  runs.push(check.data.id);
  await e2e.api.followUntilDone(check);
  await e2e.api.http.post('/api/checks?wait=30', { targets: [e2e.site.url('/ok')] });
  await e2e.api.http.post('/api/checks', { targets: [] });

  const audit = await e2e.api.http.post('/api/audits', { url: e2e.site.url('/page') });
  runs.push(audit.data.id);
  await e2e.api.followUntilDone(audit);
  await e2e.api.http.post('/api/audits?wait=30', { url: e2e.site.url('/page') });
  await e2e.api.http.post('/api/audits', { url: 'ftp://127.0.0.1/' });

  for (const id of runs) {
    await e2e.api.http.get(`/api/runs/${id}`);
    await e2e.api.http.get(`/api/runs/${id}`, { headers: { accept: 'text/html,*/*;q=0.8' } });
  }
  await e2e.api.http.get('/api/runs/no-such-run');

  const monitor = {
    target: e2e.site.url('/broken'),
    intervalSeconds: 3600,
    failureThreshold: 1,
    recoveryThreshold: 1,
    realertMinutes: 0,
  };
  const created = await e2e.api.http.put(`/api/monitors/${name}`, monitor);
  await e2e.api.pollUntil<{ state: { incident: unknown } | null }>(
    created.headers.location,
    (m) => m.state?.incident != null,
  );
  await e2e.api.http.get('/api/monitors');
  await e2e.api.http.get(`/api/monitors/${name}`);
  await e2e.api.http.get('/api/status');
  await e2e.api.http.get('/api/status.json');
  for (const badge of ['status', 'uptime']) {
    const first = await e2e.api.http.get(`/api/badges/${name}/${badge}.svg`);
    await e2e.api.http.get(`/api/badges/${name}/${badge}.svg`, {
      headers: { 'if-none-match': first.headers.etag },
    });
    await e2e.api.http.get(`/api/badges/no-such-monitor/${badge}.svg`);
  }
  await e2e.api.http.put(`/api/monitors/${name}`, { ...monitor, intervalSeconds: 1800 });
  await e2e.api.http.post(`/api/monitors/${name}/ack`, { by: 'contract' });
  // The ack is an event the monitor applies in its next episode; a second ack answers 409 only once
  // the view shows the first (asking at once raced the orchestrator and answered 202 again).
  await e2e.api.pollUntil<{ state: { incident: { acknowledgedAt?: string } | null } | null }>(
    created.headers.location,
    (m) => m.state?.incident?.acknowledgedAt !== undefined,
  );
  await e2e.api.http.post(`/api/monitors/${name}/ack`, { by: 'contract' });
  await e2e.api.http.post(`/api/monitors/${name}/test-alert`); // no channels: 409
  await e2e.api.http.put(`/api/monitors/${name}`, {
    ...monitor,
    alerts: [{ type: 'webhook', url: e2e.site.url('/ok') }],
  });
  await e2e.api.pollUntil<{ config: { alerts?: unknown[] } | null }>(
    created.headers.location,
    (m) => (m.config?.alerts?.length ?? 0) > 0,
  );
  await e2e.api.http.post(`/api/monitors/${name}/test-alert`);
  await e2e.api.http.post(`/api/monitors/${name}/pause`, { by: 'contract' });
  await e2e.api.http.post(`/api/monitors/${name}/resume`);
  await e2e.api.http.delete(`/api/monitors/${name}`);
  await e2e.api.http.get('/api/monitors/no-such-monitor');
  const openapi = await e2e.api.http.get('/api/openapi.json');
  await e2e.api.http.get('/api/openapi.json', { headers: { 'if-none-match': openapi.headers.etag } });

  // Each operation answered at least once with success and the answers matched the document.
  for (const operationId of e2e.api.contract.operationIds()) {
    expect([...e2e.api.seen].filter((s) => s.startsWith(`${operationId} 2`))).not.toEqual([]);
  }
  const expected = [
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
    'testAlertMonitor 409',
    'testAlertMonitor 202',
    'pauseMonitor 202',
    'resumeMonitor 202',
    'stopMonitor 202',
    'getMonitor 404',
    'getStatusBadge 304',
    'getStatusBadge 404',
    'getUptimeBadge 304',
    'getOpenApiDocument 304',
  ];
  // The missing answers by name, so a failure says which one (a bare arrayContaining diff is cut short).
  expect(expected.filter((answer) => !e2e.api.seen.has(answer))).toEqual([]);
});

test('the contract check rejects answers that differ from the document', async () => {
  const started = await e2e.api.http.post('/api/checks?wait=30', { targets: [e2e.site.url('/ok')] });
  expect(started.status).toBe(200);
  const url = `${e2e.deployment.origin}/api/checks`;
  const json = { 'content-type': 'application/json' };

  const summaryless = { ...started.data, summary: undefined };
  expect(
    e2e.api.contract.check({ method: 'POST', url, status: 200, headers: json, body: summaryless })?.errors,
  ).not.toEqual([]);
  const wrongType = { ...started.data, name: 7 };
  expect(
    e2e.api.contract.check({ method: 'POST', url, status: 200, headers: json, body: wrongType })?.errors,
  ).not.toEqual([]);
  expect(
    e2e.api.contract.check({ method: 'POST', url, status: 201, headers: json, body: started.data })?.errors,
  ).not.toEqual([]);
  expect(
    e2e.api.contract.check({
      method: 'POST',
      url,
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: 'ok',
    })?.errors,
  ).not.toEqual([]);
  // A 202 must carry Location and Retry-After.
  const accepted = await e2e.api.http.post('/api/checks', { targets: [e2e.site.url('/ok')] });
  const { 'retry-after': _dropped, ...withoutRetryAfter } = accepted.headers as Record<string, string>;
  const verdict = e2e.api.contract.check({
    method: 'POST',
    url,
    status: 202,
    headers: withoutRetryAfter,
    body: accepted.data,
  });
  expect(verdict?.errors).toEqual(['startChecks 202 lacks the Retry-After header']);
  await e2e.api.followUntilDone(accepted);
  // An error must be a problem document, and an unknown path must be a 404.
  const notFound = `${e2e.deployment.origin}/api/nope`;
  expect(
    e2e.api.contract.check({ method: 'GET', url: notFound, status: 404, headers: json, body: {} })?.errors,
  ).not.toEqual([]);
  expect(
    e2e.api.contract.check({
      method: 'GET',
      url: notFound,
      status: 200,
      headers: { 'content-type': 'application/problem+json' },
      body: { type: 'about:blank', title: 'Not Found', status: 404 },
    })?.errors,
  ).toEqual(['unknown path /nope answered 200, not 404']);
});
