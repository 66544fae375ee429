// host.json + local.settings.json (+ overrides) -> HostSettings, with the extension's defaults.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { HostSettings } from './types';

const hostJsonSchema = z.looseObject({
  extensions: z
    .looseObject({
      http: z.looseObject({ routePrefix: z.string().optional() }).optional(),
      queues: z
        .looseObject({
          batchSize: z.number().int().positive().optional(),
          maxDequeueCount: z.number().int().positive().optional(),
          visibilityTimeout: z.string().optional(),
          maxPollingInterval: z.string().optional(),
          messageEncoding: z.enum(['base64', 'none']).optional(),
        })
        .optional(),
      durableTask: z
        .looseObject({
          hubName: z.string().optional(),
          maxConcurrentActivityFunctions: z.number().int().positive().optional(),
          maxConcurrentOrchestratorFunctions: z.number().int().positive().optional(),
        })
        .optional(),
    })
    .optional(),
});
export type HostJson = z.infer<typeof hostJsonSchema>;

const localSettingsSchema = z.looseObject({
  Values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

/**
 * Defaults, from the extensions' documented host.json reference:
 * - durableTask maxConcurrentActivityFunctions / maxConcurrentOrchestratorFunctions: "10X the number
 *   of processors on the current machine" (Durable Functions host.json reference, DurableTaskOptions).
 * - durableTask hubName: the extension falls back to "TestHubName" when no site name is configured.
 * - queues: batchSize 16, maxDequeueCount 5, visibilityTimeout 00:00:00, maxPollingInterval 00:01:00,
 *   messageEncoding base64 (Storage queue bindings, host.json settings).
 * - http routePrefix "api".
 */
export const DEFAULTS = {
  routePrefix: 'api',
  hubName: 'TestHubName',
  concurrencyPerCore: 10,
  batchSize: 16,
  maxDequeueCount: 5,
  visibilityTimeout: '00:00:00',
  maxPollingInterval: '00:01:00',
  messageEncoding: 'base64' as const,
};

export interface LoadSettingsOptions {
  /** The process environment (default process.env): a variable set there wins over local.settings.json. */
  env?: NodeJS.ProcessEnv;
  /** Where the "Skipping ..." lines go (default: stdout, as Core Tools prints them). */
  log?: (line: string) => void;
}

/**
 * local.settings.json Values, except those already in the environment, then `overrides` (a test's
 * explicit settings). Core Tools does the same when it starts the host
 * (Azure/azure-functions-core-tools src/Cli/func/Actions/HostActions/StartHostAction.cs:352-368 at
 * 3ee97a63): a Value whose name is already a non-empty environment variable is skipped with the line below,
 * so `SITEWATCH_X=... func start` overrides local.settings.json.
 */
export function loadSettings(
  appDir: string,
  overrides: Record<string, string> = {},
  options: LoadSettingsOptions = {},
): HostSettings {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const hostJson = readJson(path.join(appDir, 'host.json'), hostJsonSchema) ?? {};
  const local = readJson(path.join(appDir, 'local.settings.json'), localSettingsSchema) ?? {};
  const appSettings: Record<string, string> = {};
  for (const [k, v] of Object.entries(local.Values ?? {})) {
    const fromEnv = env[k];
    if (fromEnv !== undefined && fromEnv !== '' && !(k in overrides)) {
      log(`Skipping '${k}' from local settings as it's already defined in current environment variables.`);
      appSettings[k] = fromEnv;
    } else appSettings[k] = String(v);
  }
  Object.assign(appSettings, overrides);
  return buildSettings(hostJson, appSettings);
}

export function buildSettings(hostJson: HostJson, appSettings: Record<string, string>): HostSettings {
  const resolve = (value: string): string =>
    value.replace(/%([^%]+)%/g, (_m, name: string) => {
      const v = appSettings[name] ?? process.env[name];
      if (v === undefined)
        throw new SettingsError(`Setting "${name}" (referenced as %${name}%) is not defined`);
      return v;
    });
  const ext = hostJson.extensions ?? {};
  const dt = ext.durableTask ?? {};
  const q = ext.queues ?? {};
  const cores = Math.max(1, os.cpus().length);
  const hubName = dt.hubName !== undefined ? resolve(dt.hubName) : DEFAULTS.hubName;
  if (!/^[A-Za-z][A-Za-z0-9]{2,44}$/.test(hubName)) {
    throw new SettingsError(
      `Task hub name "${hubName}" is invalid: 3-45 letters and digits, starting with a letter`,
    );
  }
  return {
    routePrefix: ext.http?.routePrefix ?? DEFAULTS.routePrefix,
    taskHubName: hubName,
    maxConcurrentActivityFunctions: dt.maxConcurrentActivityFunctions ?? DEFAULTS.concurrencyPerCore * cores,
    maxConcurrentOrchestratorFunctions:
      dt.maxConcurrentOrchestratorFunctions ?? DEFAULTS.concurrencyPerCore * cores,
    queues: {
      batchSize: q.batchSize ?? DEFAULTS.batchSize,
      maxDequeueCount: q.maxDequeueCount ?? DEFAULTS.maxDequeueCount,
      visibilityTimeoutMs: parseTimeSpan(q.visibilityTimeout ?? DEFAULTS.visibilityTimeout),
      maxPollingIntervalMs: parseTimeSpan(q.maxPollingInterval ?? DEFAULTS.maxPollingInterval),
      messageEncoding: q.messageEncoding ?? DEFAULTS.messageEncoding,
    },
    appSettings,
    resolve,
  };
}

/** .NET TimeSpan text ("hh:mm:ss", "d.hh:mm:ss", "hh:mm:ss.fff") -> milliseconds. */
export function parseTimeSpan(text: string): number {
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/.exec(text.trim());
  if (!m) throw new SettingsError(`"${text}" is not a TimeSpan (expected [d.]hh:mm:ss[.fff])`);
  const [, d, h, min, s, frac] = m;
  const fraction = frac ? Number(`0.${frac}`) : 0;
  return ((Number(d ?? 0) * 24 + Number(h)) * 60 + Number(min)) * 60_000 + (Number(s) + fraction) * 1000;
}

function readJson<T>(file: string, schema: z.ZodType<T>): T | undefined {
  if (!fs.existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SettingsError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new SettingsError(`${file}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
