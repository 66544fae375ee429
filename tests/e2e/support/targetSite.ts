// The site the e2e suite checks and audits. Each test file serves it on 127.0.0.1; to run the suite
// against a deployment, serve it where the app can reach it and set SITEWATCH_E2E_TARGET_BASE_URL:
//
//   npx tsx tests/e2e/support/targetSite.ts --port 8080
import { respond, startServer, type Routes } from '../../support/servers';
import { readEnv } from './env';

export const TARGET_ROUTES: Routes = {
  '/ok': respond.text('all good'),
  '/missing': respond.status(404),
  '/broken': respond.status(500),
  '/redirect': respond.redirect(301, '/ok'),
  '/page': respond.text(
    '<!doctype html><title>e2e</title><a href="/ok">fine</a> <a href="/missing">gone</a> <a href="/redirect">moved</a>',
    200,
    { 'content-type': 'text/html; charset=utf-8' },
  ),
};

export interface TargetSite {
  url(path: string): string;
  close(): Promise<void>;
}

/** The configured target site, or a fresh one on 127.0.0.1. */
export async function startTargetSite(): Promise<TargetSite> {
  const { targetBaseUrl } = readEnv();
  if (targetBaseUrl) return { url: (path) => `${targetBaseUrl}${path}`, close: async () => undefined };
  const server = await startServer(TARGET_ROUTES);
  return { url: (path) => server.url(path), close: () => server.close() };
}

if (require.main === module) {
  const index = process.argv.indexOf('--port');
  const port = index > 0 ? Number(process.argv[index + 1]) : 0;
  void import('node:http').then(({ createServer }) => {
    const server = createServer((req, res) => {
      const handler = TARGET_ROUTES[(req.url ?? '/').split('?')[0]];
      if (handler) handler(req, res);
      else respond.status(404)(req, res);
    });
    server.listen(port, () => {
      const address = server.address();
      console.log(`target site on port ${typeof address === 'object' && address ? address.port : port}`);
    });
  });
}
