// The app settings infra/modules/functionApp.bicep gives the function app: the keys of the
// objects its `Microsoft.Web/sites/config` 'appsettings' resource unions together.
import { join } from 'node:path';
import { braceBody, readBicep, stripComments, varObjectEntries } from './bicep';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const FUNCTION_APP_BICEP = join(REPO_ROOT, 'infra', 'modules', 'functionApp.bicep');

export interface BicepAppSetting {
  name: string;
  /** The Bicep expression of its value. */
  value: string;
  /** The var that holds it. */
  group: string;
}

export function bicepAppSettings(path = FUNCTION_APP_BICEP): BicepAppSetting[] {
  const bicep = readBicep(path);
  const code = stripComments(bicep.text);
  const resource = /^resource\s+\w+\s+'Microsoft\.Web\/sites\/config@[^']+'\s*=\s*\{/m.exec(code);
  if (!resource) throw new Error(`${path}: no Microsoft.Web/sites/config resource`);
  const body = braceBody(code, resource.index + resource[0].length - 1);
  if (!/^\s*name:\s*'appsettings'\s*$/m.test(body))
    throw new Error(`${path}: the config resource is not 'appsettings'`);
  const properties = /^\s*properties:\s*union\(([^)]*)\)\s*$/m.exec(body);
  if (!properties) throw new Error(`${path}: appsettings properties must be union(<vars>)`);
  const groups = properties[1].split(',').map((name) => name.trim());
  return groups.flatMap((group) =>
    varObjectEntries(bicep.text, group).map((entry) => ({ name: entry.key, value: entry.value, group })),
  );
}
