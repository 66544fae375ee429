// checkUrl against a raw-TCP server that misbehaves in every way we know of (tests/support/
// hostileServer.ts): each behaviour is judged exactly, nothing throws, and no secret the target
// was given or handed out appears in a result. Then fast-check sends generated raw responses.
import fc from 'fast-check';
import { checkUrl } from '../../src/activities/checkUrl';
import { destroyDefaultAgents } from '../../src/activities/http';
import { CheckResult, CheckSpec } from '../../src/core/checkSpec';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BEHAVIOURS,
  behaviourSpec,
  FUZZ_RUNS,
  outcome,
  SECRETS,
  startHostileServer,
  type HostileServer,
} from '../support/hostileServer';

jest.setTimeout(60_000);

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer();
});
afterAll(async () => {
  destroyDefaultAgents();
  await server.close();
});

const run = (spec: ReturnType<typeof behaviourSpec>) =>
  checkUrl(CheckSpec.parse(spec), { allowPrivateNetworks: true });

test('the catalogue has more than 20 hostile behaviours', () => {
  expect(BEHAVIOURS.filter((b) => !b.good).length).toBeGreaterThan(20);
  expect(new Set(BEHAVIOURS.map((b) => b.name)).size).toBe(BEHAVIOURS.length);
});

describe.each(BEHAVIOURS)('$name', (behaviour) => {
  test('is judged exactly, as a valid CheckResult, with no secret in it', async () => {
    const result = await run(behaviourSpec(server, behaviour));
    expect(CheckResult.parse(result)).toEqual(result);
    const { expected } = behaviour;
    expect({ ok: result.ok, code: result.error?.code }).toEqual({ ok: expected.ok, code: expected.code });
    if (expected.status !== undefined) expect(result.status).toBe(expected.status);
    if (expected.message !== undefined) expect(result.error?.message).toMatch(expected.message);
    if (expected.finalPath !== undefined) expect(new URL(result.finalUrl).pathname).toBe(expected.finalPath);
    const json = JSON.stringify(result);
    for (const secret of Object.values(SECRETS)) expect(json).not.toContain(secret);
    expect(json).not.toMatch(/\/\/[^/"]*@/);
  });
});

test('a target Location with user info: the next hop gets no credentials, and no hop records them', async () => {
  const result = await run(
    behaviourSpec(
      server,
      BEHAVIOURS.find((b) => b.name === 'credentials-location')!,
    ),
  );
  expect(result.redirects).toEqual([
    {
      url: server.behaviourUrl('credentials-location'),
      status: 302,
      location: server.otherUrl('/b/no-credentials'),
    },
  ]);
  expect(result.finalUrl).toBe(server.otherUrl('/b/no-credentials'));
});

test('with private networks refused, messages do not name the internal address', async () => {
  const result = await checkUrl(CheckSpec.parse({ url: server.behaviourUrl('ok') }), {
    allowPrivateNetworks: false,
  });
  expect(result.error).toEqual({
    code: 'BLOCKED',
    message: expect.stringMatching(/^Refused to connect to 127\.0\.0\.1: it is a loopback address/),
  });
});

describe('generated raw responses (fast-check)', () => {
  // Fragments of HTTP that parsers trip over, glued together at random, plus plain random bytes.
  const fragment = fc.oneof(
    fc.constantFrom(
      'HTTP/1.1 200 OK\r\n',
      'HTTP/1.1 302 Found\r\nLocation: http://u:p@127.0.0.1:1/\r\n',
      'HTTP/1.1 103 Early Hints\r\n\r\n',
      'HTTP/1.0 500 Oops\r\n',
      'Content-Length: 5\r\n',
      'Content-Length: -1\r\n',
      'Transfer-Encoding: chunked\r\n',
      'Content-Encoding: gzip\r\n',
      'Content-Encoding: br\r\n',
      'Content-Encoding: deflate, gzip\r\n',
      'Content-Encoding: x-nope\r\n',
      'Trailer: X\r\n',
      '\r\n',
      '5\r\nhello\r\n',
      '0\r\n\r\n',
      'ffffffffffffffff\r\n',
      '\x00',
      '\r',
      '\n',
    ),
    fc.string({ maxLength: 40 }),
    fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  );
  const response = fc
    .array(fragment, { maxLength: 12 })
    .map((parts) => Buffer.from(parts.join(''), 'latin1'));

  test('every response is classified, nothing throws', async () => {
    await fc.assert(
      fc.asyncProperty(response, async (bytes) => {
        server.serveRaw(bytes);
        const result = await checkUrl(CheckSpec.parse({ url: server.url('/raw'), timeoutMs: 2000 }), {
          allowPrivateNetworks: true,
        });
        expect(CheckResult.parse(result)).toEqual(result);
        // A redirect's user info never reaches a result.
        expect(JSON.stringify(result)).not.toContain('u:p@');
        if (!result.ok) expect(result.error).toBeDefined();
      }),
      { numRuns: FUZZ_RUNS.rawResponses },
    );
  });
});

test("the README's Security table is this catalogue, with these figures", () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const block = /<!-- hostile-targets:start -->\n([\s\S]*?)<!-- hostile-targets:end -->/.exec(readme)?.[1];
  const hostile = BEHAVIOURS.filter((b) => !b.good).length;
  const api = FUZZ_RUNS.checkRequests + FUZZ_RUNS.auditRequests + FUZZ_RUNS.monitorRequests;
  const expected = [
    `${BEHAVIOURS.length} behaviours of a raw-TCP server (${hostile} hostile), all in one check run through tests/host ` +
      '(`tests/app/hostile-run.test.ts`) and one by one through `checkUrl` (`tests/activities/hostileTargets.test.ts`):',
    '',
    '| What the target does | Outcome |',
    '|---|---|',
    ...BEHAVIOURS.map((b) => `| ${b.attack}${b.good ? ' (good target)' : ''} | ${outcome(b)} |`),
    '',
    `Property-based (fast-check): ${FUZZ_RUNS.rawResponses} generated raw responses, each a valid result and none ` +
      `throwing; ${api} generated API requests (${FUZZ_RUNS.checkRequests} checks, ${FUZZ_RUNS.auditRequests} audits, ` +
      `${FUZZ_RUNS.monitorRequests} monitors, with random query strings), each a 2xx or a 400 problem+json, none ` +
      'leaving a run behind (`tests/app/api-fuzz.test.ts`).',
    '',
  ].join('\n');
  expect(block).toBe(expected);
});
