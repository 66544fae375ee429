// The built app on tests/host with private networks allowed, next to the hostile target server:
// started before a file's tests and stopped after them. The fields are filled in by beforeAll.
import { startAppHost, type AppHost } from './appHost';
import { startHostileServer, type HostileServer } from './hostileServer';

export interface HostileApp {
  app: AppHost;
  server: HostileServer;
}

export function useHostileApp(): HostileApp {
  const env = {} as HostileApp;
  beforeAll(async () => {
    env.server = await startHostileServer();
    env.app = await startAppHost({ settings: { SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true' } });
  });
  afterAll(async () => {
    await env.app?.stop();
    await env.server?.close();
  });
  return env;
}
