// Every error path answers application/problem+json: unknown paths 404 (the catch-all route), every
// method a documented path does not support 405 with Allow (derived from the OpenAPI document, so
// a new endpoint is covered without editing this file), unknown and malformed run ids.
import { useE2e } from './support/suite';

jest.setTimeout(120_000);

const e2e = useE2e();

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

function expectProblem(
  res: { status: number; headers: Record<string, unknown>; data: unknown },
  status: number,
) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.data).toMatchObject({ type: 'about:blank', status, title: expect.any(String) });
}

test.each([
  ['GET', '/api/nope'],
  ['POST', '/api/checks/extra'],
  ['GET', '/api/monitors/a/b/c'],
  ['DELETE', '/api/runs'],
  ['GET', '/api/runs/a/b'],
  ['PUT', '/api/openapi.json/x'],
  ['GET', '/api/CHECKS/x'],
])('%s %s is an unknown path: 404', async (method, url) => {
  const res = await e2e.api.http.request({ method, url, data: method === 'GET' ? undefined : {} });
  expectProblem(res, 404);
});

test('every method a documented path does not support gets 405 with Allow', async () => {
  const paths = Object.keys(e2e.api.contract.document.paths as object);
  expect(paths.length).toBeGreaterThan(5);
  for (const template of paths) {
    const url = `/api${template.replace('{name}', 'fine').replace('{instanceId}', 'some-run')}`;
    const allowed = e2e.api.contract.methods(template);
    for (const method of METHODS.filter((m) => !allowed.includes(m))) {
      const res = await e2e.api.http.request({ method, url, data: method === 'GET' ? undefined : {} });
      expectProblem(res, 405);
      expect(res.headers.allow?.split(', ').sort()).toEqual([...allowed].sort());
    }
  }
});

test('an unknown run id: 404', async () => {
  const res = await e2e.api.http.get('/api/runs/no-such-run');
  expectProblem(res, 404);
  expect(res.data.detail).toContain('no-such-run');
});

test.each([
  ['a control character', '%01bad'],
  ['257 characters', 'r'.repeat(257)],
  ['a backslash', 'a%5Cb'],
])('a run id with %s: 400 naming instanceId', async (_label, id) => {
  const res = await e2e.api.http.get(`/api/runs/${id}`);
  expectProblem(res, 400);
  expect(res.data.errors.map((e: { field: string }) => e.field)).toEqual(['instanceId']);
});
