// One file's environment: the target site and the app under test, started before the file's tests
// and stopped after them. The fields are filled in by beforeAll.
import { createApi, type Api } from './api';
import { startDeployment, type Deployment } from './deployment';
import { startTargetSite, type TargetSite } from './targetSite';

export interface E2e {
  api: Api;
  site: TargetSite;
  deployment: Deployment;
}

export interface E2eOptions {
  /** App settings for tests/host, which may name the target site's URLs. */
  settings?: (site: TargetSite) => Record<string, string>;
  /** Clean-up against the app before it stops (a remote deployment outlives the suite). */
  beforeStop?: (e2e: E2e) => Promise<void>;
}

export function useE2e(options: E2eOptions = {}): E2e {
  const e2e = {} as E2e;
  beforeAll(async () => {
    e2e.site = await startTargetSite();
    e2e.deployment = await startDeployment({ settings: options.settings?.(e2e.site) });
    e2e.api = await createApi(e2e.deployment);
  });
  afterAll(async () => {
    if (e2e.api) await options.beforeStop?.(e2e);
    await e2e.deployment?.stop();
    await e2e.site?.close();
  });
  return e2e;
}
