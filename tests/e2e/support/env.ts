// Where the e2e suite points. Without SITEWATCH_E2E_BASE_URL each test file starts tests/host with
// the built app on 127.0.0.1; with it, the same files run against `func start` or a deployment.

export interface E2eEnv {
  /** The app's root URL (the API is under `/api`); undefined: start tests/host. */
  baseUrl?: string;
  /** Sent as `x-functions-key`. The master key also opens the admin API the timer test uses. */
  key?: string;
  /** A target site the app can reach, serving the routes of targetSite.ts; undefined: start one on 127.0.0.1. */
  targetBaseUrl?: string;
  /** The deployment's SWEEP_SCHEDULE, to find the run a sweep starts (default: the app's default). */
  sweepSchedule: string;
}

const trimmed = (value: string | undefined) => {
  const text = value?.trim();
  return text ? text.replace(/\/+$/, '') : undefined;
};

export function readEnv(env: NodeJS.ProcessEnv = process.env): E2eEnv {
  return {
    baseUrl: trimmed(env.SITEWATCH_E2E_BASE_URL)?.replace(/\/api$/, ''),
    key: env.SITEWATCH_E2E_KEY?.trim() || undefined,
    targetBaseUrl: trimmed(env.SITEWATCH_E2E_TARGET_BASE_URL),
    sweepSchedule: env.SITEWATCH_E2E_SWEEP_SCHEDULE?.trim() || '0 */15 * * * *',
  };
}

/** True for URLs whose host is this machine. */
export function isLoopback(url: string): boolean {
  const { hostname } = new URL(url);
  return hostname === 'localhost' || hostname === '[::1]' || /^127\./.test(hostname);
}
