// One check run over every hostile behaviour (tests/support/hostileServer.ts) plus the good
// targets, through the built app on tests/host: the run completes, each target is judged exactly,
// and no secret (given to a target or handed out by one) appears in any answer or report.
import { BEHAVIOURS, behaviourSpec, SECRETS } from '../support/hostileServer';
import { useHostileApp } from '../support/hostileApp';

jest.setTimeout(120_000);

const hostile = useHostileApp();

function expectNoSecret(what: string, value: unknown): void {
  const json = typeof value === 'string' ? value : JSON.stringify(value);
  for (const secret of Object.values(SECRETS)) {
    if (json.includes(secret)) throw new Error(`${what} contains the secret ${secret}`);
  }
  // No user info of any URL.
  expect(json).not.toMatch(/https?:\/\/[^/"\s]*@/);
}

interface Report {
  summary: { total: number; up: number; down: number; failuresByCode: Record<string, number> };
  results: {
    url: string;
    finalUrl: string;
    ok: boolean;
    status?: number;
    error?: { code: string; message: string };
  }[];
}

test('one run over every hostile behaviour completes and judges each exactly, leaking nothing', async () => {
  const targets = BEHAVIOURS.map((b) => behaviourSpec(hostile.server, b));
  const started = await hostile.app.api.post('checks', { name: 'hostile targets', targets });
  expect(started.status).toBe(202);
  expectNoSecret('the 202 answer', started.data);

  const status = await hostile.app.host.waitForStatus(started.data.id, undefined, { timeoutMs: 90_000 });
  expect(status.runtimeStatus).toBe('Completed');
  const polled = await hostile.app.api.get(
    new URL(started.data.statusQueryGetUri).pathname + new URL(started.data.statusQueryGetUri).search,
    {
      baseURL: hostile.app.host.url,
    },
  );
  expect(polled.status).toBe(200);
  // The durable status answer echoes the request as `input` (showInput defaults to true): the
  // caller's own headers and body, shown to a holder of the management key. Everything Sitewatch
  // produced (output, custom status) is clean, and the secrets a target handed out are nowhere.
  const { input, ...produced } = polled.data as { input: unknown };
  expect(input).toBeDefined();
  expectNoSecret('the status answer without its input', produced);
  for (const secret of [SECRETS.locationUser, SECRETS.locationPassword]) {
    expect(JSON.stringify(polled.data)).not.toContain(secret);
  }
  const view = await hostile.app.api.get(`runs/${started.data.id}`);
  expect(view.status).toBe(200);
  expectNoSecret('the run view', view.data);

  const output = status.output as { report: { container: string; blob: string } };
  const report = (await hostile.app.readBlob(output.report.container, output.report.blob)) as Report;
  expectNoSecret('the report', report);

  const judged = report.results.map((r) => ({
    ok: r.ok,
    status: r.status,
    code: r.error?.code,
  }));
  const expected = BEHAVIOURS.map(({ expected: e }) => ({ ok: e.ok, status: e.status, code: e.code }));
  // Status is only asserted where the catalogue names one.
  judged.forEach((j, i) => {
    if (expected[i].status === undefined) j.status = undefined;
  });
  expect(judged).toEqual(expected);
  BEHAVIOURS.forEach(({ expected: e }, i) => {
    if (e.message !== undefined) expect(report.results[i].error?.message).toMatch(e.message);
    if (e.finalPath !== undefined) expect(new URL(report.results[i].finalUrl).pathname).toBe(e.finalPath);
  });
  const failing = BEHAVIOURS.filter((b) => !b.expected.ok);
  expect(report.summary).toMatchObject({ total: BEHAVIOURS.length, down: failing.length });
  const byCode: Record<string, number> = {};
  for (const b of failing) byCode[b.expected.code!] = (byCode[b.expected.code!] ?? 0) + 1;
  expect(report.summary.failuresByCode).toEqual(byCode);
});

test('a Trailer header is refused up front: 400 problem+json naming the header, no run started', async () => {
  const before = hostile.app.host.durable.listStatus({}).items.length;
  const res = await hostile.app.api.post('checks', {
    targets: [{ url: hostile.server.behaviourUrl('ok'), headers: { Trailer: 'X' } }],
  });
  expect(res.status).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(JSON.stringify(res.data)).toContain('Trailer');
  expect(hostile.app.host.durable.listStatus({}).items.length).toBe(before);
});
