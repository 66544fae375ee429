import type { z } from 'zod';
import { readJson } from '../activities/storage/blobs';
import { settings } from '../settings';

export type ConfigResult<T> =
  | { ok: true; value: T; source: string }
  | { ok: false; missing: true; source: string }
  | { ok: false; missing: false; source: string; reason: string };

/**
 * Operator configuration for the timers: a JSON app setting wins; otherwise the blob
 * `<config container>/<blobName>`. Invalid configuration is reported, never half-applied.
 */
export async function loadConfig<S extends z.ZodType>(
  schema: S,
  options: { settingValue: string | undefined; settingName: string; blobName: string },
): Promise<ConfigResult<z.infer<S>>> {
  const { settingValue, settingName, blobName } = options;
  let raw: unknown;
  let source: string;
  if (settingValue !== undefined) {
    source = `setting ${settingName}`;
    try {
      raw = JSON.parse(settingValue);
    } catch {
      return { ok: false, missing: false, source, reason: 'not valid JSON' };
    }
  } else {
    const container = settings.configContainer();
    source = `blob ${container}/${blobName}`;
    raw = await readJson({ container, blob: blobName });
    if (raw === undefined) return { ok: false, missing: true, source };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return { ok: false, missing: false, source, reason: `${where}${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, value: parsed.data, source };
}
