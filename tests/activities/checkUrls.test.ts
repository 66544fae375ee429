// The batch activity: every spec checked, results in input order, one bad spec one INVALID result.
import { checkUrls } from '../../src/activities/checkUrls';
import { destroyDefaultAgents } from '../../src/activities/http';
import { MAX_CHECK_BATCH_SIZE } from '../../src/core/checkRun';
import { allowPrivateNetworks, respond, startServer, type TargetServer } from '../support/servers';

let restoreEnv: () => void;
let server: TargetServer;

beforeAll(async () => {
  restoreEnv = allowPrivateNetworks();
  server = await startServer({ '/ok': respond.text('fine'), '/broken': respond.status(500) });
});
afterAll(async () => {
  await server.close();
  destroyDefaultAgents();
  restoreEnv();
});

test('checks every spec and returns the results in input order', async () => {
  const specs = [
    { url: server.url('/broken') },
    server.url('/ok'),
    { url: 'ftp://example.test/' },
    { url: server.url('/ok'), expect: { bodyContains: 'fine' } },
  ];
  const results = await checkUrls({ specs });
  expect(results.map((r) => [r.url, r.ok, r.status ?? null, r.error?.code ?? null])).toEqual([
    [server.url('/broken'), false, 500, 'HTTP'],
    [server.url('/ok'), true, 200, null],
    ['ftp://example.test/', false, null, 'INVALID'],
    [server.url('/ok'), true, 200, null],
  ]);
});

test('refuses an empty batch or one over the maximum (a bug in the caller, not a check result)', async () => {
  await expect(checkUrls({ specs: [] })).rejects.toThrow();
  const tooMany = Array.from({ length: MAX_CHECK_BATCH_SIZE + 1 }, () => server.url('/ok'));
  await expect(checkUrls({ specs: tooMany })).rejects.toThrow();
});
