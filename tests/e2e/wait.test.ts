// `?wait=<seconds>` behaves the same on every starter: the same validation, the same cap (read from
// the OpenAPI document, which takes it from SITEWATCH_MAX_WAIT_SECONDS), 202 without it and 200
// with the output when the run finishes in time.
import { retryAfterSeconds } from './support/api';
import { useE2e } from './support/suite';

jest.setTimeout(180_000);

const LOCAL_CAP = 25;

const e2e = useE2e({ settings: () => ({ SITEWATCH_MAX_WAIT_SECONDS: String(LOCAL_CAP) }) });

interface Starter {
  path: string;
  body: () => unknown;
  /** Proves the 200 body is the run's output. */
  output: Record<string, unknown>;
}

const starters: Array<[string, Starter]> = [
  [
    'checks',
    {
      path: '/api/checks',
      body: () => ({ targets: [e2e.site.url('/ok')] }),
      output: { summary: { total: 1 } },
    },
  ],
  ['audits', { path: '/api/audits', body: () => ({ url: e2e.site.url('/page') }), output: { ok: true } }],
];

/** The documented cap of the `wait` parameter of an operation. */
function documentedCap(path: string): number {
  const operation = e2e.api.contract.operation('post', path.replace(/^\/api/, '')) as unknown as {
    parameters: Array<{ name: string; schema: { maximum: number } }>;
  };
  return operation.parameters.find((p) => p.name === 'wait')!.schema.maximum;
}

test('the document states the same cap on every starter, and it is the configured one', () => {
  const caps = starters.map(([, s]) => documentedCap(s.path));
  expect(new Set(caps).size).toBe(1);
  if (e2e.deployment.local) expect(caps[0]).toBe(LOCAL_CAP);
});

describe.each(starters)('POST /api/%s', (_name, starter) => {
  test.each([
    ['over the cap', (cap: number) => String(cap + 1)],
    ['negative', () => '-1'],
    ['fractional', () => '1.5'],
    ['not a number', () => 'soon'],
  ])('?wait %s: 400 naming wait', async (_label, value) => {
    const res = await e2e.api.http.post(
      `${starter.path}?wait=${value(documentedCap(starter.path))}`,
      starter.body(),
    );
    expect(res.status).toBe(400);
    expect(res.data.errors).toEqual([{ field: 'wait', message: expect.any(String) }]);
  });

  test('?wait=0 answers 202 at once', async () => {
    const res = await e2e.api.http.post(`${starter.path}?wait=0`, starter.body());
    expect(res.status).toBe(202);
    expect(retryAfterSeconds(res)).toBeGreaterThan(0);
    await e2e.api.followUntilDone(res); // let it finish before the host stops
  });

  test('?wait=<cap> answers 200 with the output when the run finishes in time', async () => {
    const res = await e2e.api.http.post(
      `${starter.path}?wait=${documentedCap(starter.path)}`,
      starter.body(),
    );
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject(starter.output);
  });
});
