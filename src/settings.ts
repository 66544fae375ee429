// Every app setting Sitewatch reads, in one place. Read at call time (not import time) so the
// Functions host, tests and the infra cross-check all see the same names.
// Orchestrators never import this module: their configuration arrives in their input.

import { parseAllowedNetworks, type AllowedNetwork } from './core/networkGuard';

export const SETTING_NAMES = [
  'AzureWebJobsStorage',
  'AzureWebJobsStorage__blobServiceUri',
  'AzureWebJobsStorage__tableServiceUri',
  'AzureWebJobsStorage__clientId',
  'TASKHUB_NAME',
  'SWEEP_SCHEDULE',
  'MONITORS_SCHEDULE',
  'SITEWATCH_TARGETS',
  'SITEWATCH_MONITORS',
  'SITEWATCH_ALLOW_PRIVATE_NETWORKS',
  'SITEWATCH_ALLOWED_NETWORKS',
  'SITEWATCH_MAX_TARGETS',
  'SITEWATCH_MAX_WAIT_SECONDS',
  'SITEWATCH_REPORTS_CONTAINER',
  'SITEWATCH_CONFIG_CONTAINER',
  'SITEWATCH_HISTORY_DAYS',
  'SITEWATCH_RUN_RETENTION_DAYS',
  'SITEWATCH_STATUS_SHOW_URLS',
  'SITEWATCH_STATUS_TITLE',
] as const;

export type SettingName = (typeof SETTING_NAMES)[number];

function read(name: SettingName): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function readInt(name: SettingName, fallback: number, min: number, max: number): number {
  const raw = read(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`Setting ${name} must be an integer between ${min} and ${max}`);
  }
  return n;
}

let allowedNetworksCache: { raw: string; value: readonly AllowedNetwork[] } = { raw: '', value: [] };

export type StorageConnection =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'identity'; blobServiceUri: string; clientId?: string };

export type TableConnection =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'identity'; tableServiceUri: string; clientId?: string };

export const settings = {
  /**
   * The app's storage account: a connection string locally (Azurite), an identity-based
   * connection in Azure (`AzureWebJobsStorage__blobServiceUri` + the managed identity's client id).
   */
  storage: (): StorageConnection => {
    const connectionString = read('AzureWebJobsStorage');
    if (connectionString) return { kind: 'connectionString', connectionString };
    const blobServiceUri = read('AzureWebJobsStorage__blobServiceUri');
    if (blobServiceUri)
      return { kind: 'identity', blobServiceUri, clientId: read('AzureWebJobsStorage__clientId') };
    throw new Error(
      'Storage is not configured: set AzureWebJobsStorage or AzureWebJobsStorage__blobServiceUri',
    );
  },
  /**
   * The same storage account's Table service (check history): the connection string's table
   * endpoint locally, `AzureWebJobsStorage__tableServiceUri` with the managed identity in Azure.
   */
  tableStorage: (): TableConnection => {
    const connectionString = read('AzureWebJobsStorage');
    if (connectionString) return { kind: 'connectionString', connectionString };
    const tableServiceUri = read('AzureWebJobsStorage__tableServiceUri');
    if (tableServiceUri)
      return { kind: 'identity', tableServiceUri, clientId: read('AzureWebJobsStorage__clientId') };
    throw new Error(
      'Table storage is not configured: set AzureWebJobsStorage or AzureWebJobsStorage__tableServiceUri',
    );
  },
  /**
   * Days of check history kept (rows, rollups, incidents); a daily timer purges older ones.
   * 0 turns history off: monitors write nothing and the status page shows only live state.
   */
  historyDays: (): number => readInt('SITEWATCH_HISTORY_DAYS', 90, 0, 3650),
  /**
   * Days a finished check run or audit is kept (its instance, its sub-orchestrations' histories and its
   * report blobs); a daily timer purges older ones. 0 keeps them forever. Separate from
   * SITEWATCH_HISTORY_DAYS: nothing the status page shows links to a run, and 0 means "off" there.
   */
  runRetentionDays: (): number => readInt('SITEWATCH_RUN_RETENTION_DAYS', 30, 0, 3650),
  /** The public status page shows target URLs (redacted) only when this is "true". */
  statusShowUrls: (): boolean => read('SITEWATCH_STATUS_SHOW_URLS')?.toLowerCase() === 'true',
  /** Title of the public status page. */
  statusTitle: (): string => read('SITEWATCH_STATUS_TITLE') ?? 'Sitewatch status',
  /** Private, loopback and link-local targets are refused unless this is "true". */
  allowPrivateNetworks: (): boolean => read('SITEWATCH_ALLOW_PRIVATE_NETWORKS')?.toLowerCase() === 'true',
  /**
   * Private networks checks may reach although SITEWATCH_ALLOW_PRIVATE_NETWORKS is off, as CIDRs
   * ("10.1.0.0/16,fd12::/48"). Loopback only when listed itself; metadata and credential endpoints
   * never. An invalid entry throws, naming it.
   */
  allowedNetworks: (): readonly AllowedNetwork[] => {
    const raw = read('SITEWATCH_ALLOWED_NETWORKS') ?? '';
    // Read on every check: parse once per distinct value.
    if (raw !== allowedNetworksCache.raw) {
      try {
        allowedNetworksCache = { raw, value: parseAllowedNetworks(raw) };
      } catch (err) {
        throw new Error(`Setting SITEWATCH_ALLOWED_NETWORKS: ${(err as Error).message}`);
      }
    }
    return allowedNetworksCache.value;
  },
  /** Targets accepted in one check request. */
  maxTargets: (): number => readInt('SITEWATCH_MAX_TARGETS', 1000, 1, 100_000),
  /** Upper bound for `?wait=` on the HTTP starters. */
  maxWaitSeconds: (): number => readInt('SITEWATCH_MAX_WAIT_SECONDS', 60, 0, 230),
  /** NCRONTAB schedule of the sweep timer (the trigger itself reads it as %SWEEP_SCHEDULE%). */
  sweepSchedule: (): string => read('SWEEP_SCHEDULE') ?? '0 */15 * * * *',
  reportsContainer: (): string => read('SITEWATCH_REPORTS_CONTAINER') ?? 'reports',
  configContainer: (): string => read('SITEWATCH_CONFIG_CONTAINER') ?? 'config',
  /** JSON list of targets for the scheduled sweep; undefined means "use the config blob". */
  sweepTargetsJson: (): string | undefined => read('SITEWATCH_TARGETS'),
  /** JSON list of monitors that the timer keeps running; undefined means "use the config blob". */
  monitorsJson: (): string | undefined => read('SITEWATCH_MONITORS'),
};
