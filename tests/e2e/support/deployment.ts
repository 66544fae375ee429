// The app under test: the deployment named by SITEWATCH_E2E_BASE_URL, or tests/host running the
// built app (dist/) on 127.0.0.1 with a real clock, Azurite, and private targets allowed.
import { startHost } from '../../host';
import { isLoopback, readEnv } from './env';

/** The sweep schedule tests/host runs with: yearly, so the occurrence (and its instance id) is stable. */
export const LOCAL_SWEEP_SCHEDULE = '0 0 0 1 1 *';

export interface Deployment {
  /** The app's root URL; the API is `${origin}/api`. */
  origin: string;
  /** True when this file started tests/host itself (its settings are then the ones given here). */
  local: boolean;
  key?: string;
  sweepSchedule: string;
  stop(): Promise<void>;
}

export interface DeploymentOptions {
  /** App settings for tests/host (ignored for a remote deployment, which has its own). */
  settings?: Record<string, string>;
}

export async function startDeployment(options: DeploymentOptions = {}): Promise<Deployment> {
  const env = readEnv();
  if (env.baseUrl) {
    if (!isLoopback(env.baseUrl) && !env.targetBaseUrl) {
      throw new Error(
        `${env.baseUrl} cannot reach targets on this machine's 127.0.0.1: set SITEWATCH_E2E_TARGET_BASE_URL ` +
          'to a reachable copy of tests/e2e/support/targetSite.ts (see README, "## HTTP API").',
      );
    }
    return {
      origin: env.baseUrl,
      local: false,
      key: env.key,
      sweepSchedule: env.sweepSchedule,
      stop: async () => undefined,
    };
  }
  const host = await startHost({
    clock: 'real',
    storage: 'azurite',
    settings: {
      SITEWATCH_ALLOW_PRIVATE_NETWORKS: 'true',
      SWEEP_SCHEDULE: LOCAL_SWEEP_SCHEDULE,
      ...options.settings,
    },
  });
  return {
    origin: host.url,
    local: true,
    sweepSchedule: LOCAL_SWEEP_SCHEDULE,
    stop: () => host.stop(),
  };
}
