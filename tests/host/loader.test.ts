// loader.ts and settings.ts: capturing registrations, failing loudly, host.json defaults.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { registeredFunctions } from './functionsCore';
import { AppLoadError, loadApp, REPO_ROOT } from './loader';
import { buildSettings, loadSettings, parseTimeSpan, SettingsError } from './settings';

const FIXTURES = path.join(__dirname, '..', 'fixtures');

test('captures every registration with its bindings and trigger', () => {
  const registry = loadApp(path.join(FIXTURES, 'engine-app'));
  expect(registry.get('hello')?.triggerType).toBe('orchestrationTrigger');
  expect(registry.get('sayHello')?.triggerType).toBe('activityTrigger');
  const starter = registry.get('startOrchestration')!;
  expect(starter.triggerType).toBe('httpTrigger');
  expect(starter.bindings[starter.triggerBindingName]).toMatchObject({
    route: 'orchestrators/{name}',
    methods: ['POST'],
  });
  expect(Object.values(starter.bindings).map((b) => b.type)).toEqual(
    expect.arrayContaining(['durableClient', 'http']),
  );
  expect(
    registry
      .byTriggerType('httpTrigger')
      .map((f) => f.name)
      .sort(),
  ).toEqual(['ping', 'startOrchestration']);
  // Registrations made while loading do not leak into the default list.
  expect(registeredFunctions().some((r) => r.metadata.name === 'hello')).toBe(false);
});

test('loading the same app twice returns the same registry (require caches the modules)', () => {
  const dir = path.join(FIXTURES, 'engine-app');
  expect(loadApp(dir)).toBe(loadApp(`${dir}/`));
});

test('a duplicate function name fails the load', () => {
  expect(() => loadApp(path.join(FIXTURES, 'engine-dup'))).toThrow(
    new AppLoadError('Duplicate function name "same"'),
  );
});

test('an unknown binding type fails the load, naming it', () => {
  expect(() => loadApp(path.join(FIXTURES, 'engine-badbinding'))).toThrow(/"fromBus".*"serviceBusTrigger"/);
});

test('a main glob that matches nothing fails the load', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-empty-'));
  try {
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ main: 'dist/*.js' }));
    expect(() => loadApp(dir)).toThrow(/matches no files/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('in plain node an app outside the repo resolves functions-core and durable-functions through the hook', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-outside-'));
  try {
    for (const f of ['package.json', 'app.js']) {
      fs.copyFileSync(path.join(FIXTURES, 'engine-limited', f), path.join(dir, f));
    }
    const script = path.join(dir, 'load.ts');
    fs.writeFileSync(
      script,
      `const { loadApp } = require(${JSON.stringify(path.join(__dirname, 'loader.ts'))});\n` +
        `console.log(JSON.stringify([...loadApp(${JSON.stringify(dir)}).functions.values()].map((f) => [f.name, f.triggerType])));\n`,
    );
    const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
    const env = { ...process.env };
    delete env.JEST_WORKER_ID;
    const { stdout } = await promisify(execFile)(tsx, [script], { cwd: dir, env });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual([
      ['held', 'activityTrigger'],
      ['heldFanOut', 'orchestrationTrigger'],
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('settings: host.json values, %NAME% resolution and the extension defaults', () => {
  const settings = loadSettings(path.join(FIXTURES, 'engine-app'), { EXTRA: '1' });
  expect(settings.taskHubName).toBe('EngineFixture');
  expect(settings.routePrefix).toBe('api');
  expect(settings.maxConcurrentActivityFunctions).toBe(16);
  expect(settings.maxConcurrentOrchestratorFunctions).toBe(10 * os.cpus().length);
  expect(settings.queues).toEqual({
    batchSize: 16,
    maxDequeueCount: 5,
    visibilityTimeoutMs: 0,
    maxPollingIntervalMs: 60_000,
    messageEncoding: 'base64',
  });
  expect(settings.appSettings).toMatchObject({ TASKHUB_NAME: 'EngineFixture', EXTRA: '1' });
  expect(settings.resolve('%TASKHUB_NAME%-%EXTRA%')).toBe('EngineFixture-1');
  expect(() => settings.resolve('%NOPE_NOT_SET%')).toThrow(
    new SettingsError('Setting "NOPE_NOT_SET" (referenced as %NOPE_NOT_SET%) is not defined'),
  );
});

test('settings: the repo host.json, an empty route prefix, and a missing hub setting', () => {
  const repo = loadSettings(REPO_ROOT);
  expect(repo.queues.visibilityTimeoutMs).toBe(60_000);
  expect(repo.queues.maxPollingIntervalMs).toBe(2000);
  expect(repo.maxConcurrentActivityFunctions).toBe(32);
  expect(buildSettings({ extensions: { http: { routePrefix: '' } } }, {}).routePrefix).toBe('');
  expect(() => buildSettings({ extensions: { durableTask: { hubName: '%MISSING_HUB%' } } }, {})).toThrow(
    /MISSING_HUB/,
  );
});

test('TimeSpan text', () => {
  expect(parseTimeSpan('00:00:30')).toBe(30_000);
  expect(parseTimeSpan('1.02:00:00')).toBe(26 * 3600_000);
  expect(parseTimeSpan('00:00:00.250')).toBe(250);
  expect(() => parseTimeSpan('30s')).toThrow(SettingsError);
});
