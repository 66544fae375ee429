// Core Tools lets the process environment win over local.settings.json (settings.ts cites the source).
import path from 'node:path';
import { startHost } from './index';
import { loadSettings } from './settings';

const APP = path.join(__dirname, '..', 'fixtures', 'engine-app');
const SKIP =
  "Skipping 'TASKHUB_NAME' from local settings as it's already defined in current environment variables.";

describe('loadSettings', () => {
  it('keeps a variable already in the environment and says so with Core Tools line', () => {
    const lines: string[] = [];
    const settings = loadSettings(APP, {}, { env: { TASKHUB_NAME: 'FromEnv' }, log: (l) => lines.push(l) });
    expect(settings.taskHubName).toBe('FromEnv');
    expect(settings.appSettings.TASKHUB_NAME).toBe('FromEnv');
    expect(settings.appSettings.FUNCTIONS_WORKER_RUNTIME).toBe('node');
    expect(lines).toEqual([SKIP]);
  });

  it('uses local.settings.json when the variable is unset or empty (Core Tools checks IsNullOrEmpty)', () => {
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);
    expect(loadSettings(APP, {}, { env: {}, log }).taskHubName).toBe('EngineFixture');
    expect(loadSettings(APP, {}, { env: { TASKHUB_NAME: '' }, log }).taskHubName).toBe('EngineFixture');
    expect(lines).toEqual([]);
  });

  it("lets a test's explicit settings win over both", () => {
    const settings = loadSettings(
      APP,
      { TASKHUB_NAME: 'Explicit' },
      { env: { TASKHUB_NAME: 'FromEnv' }, log: () => {} },
    );
    expect(settings.taskHubName).toBe('Explicit');
  });
});

describe('startHost', () => {
  const saved = process.env.TASKHUB_NAME;
  afterEach(() => {
    if (saved === undefined) delete process.env.TASKHUB_NAME;
    else process.env.TASKHUB_NAME = saved;
  });

  it('reads the process environment before local.settings.json and leaves it as it was', async () => {
    process.env.TASKHUB_NAME = 'EnvironmentHub';
    const lines: string[] = [];
    const host = await startHost({ appDir: APP, storage: 'none', log: (l) => lines.push(l) });
    const hub = host.settings.taskHubName;
    await host.stop();
    expect(hub).toBe('EnvironmentHub');
    expect(lines).toEqual([SKIP]);
    expect(process.env.TASKHUB_NAME).toBe('EnvironmentHub');
  });

  it("does not take another host's settings in this process for the user's environment", async () => {
    delete process.env.TASKHUB_NAME;
    const first = await startHost({ appDir: APP, storage: 'none', settings: { TASKHUB_NAME: 'FirstHost' } });
    const lines: string[] = [];
    try {
      expect(process.env.TASKHUB_NAME).toBe('FirstHost');
      const second = await startHost({ appDir: APP, storage: 'none', log: (l) => lines.push(l) });
      expect(second.settings.taskHubName).toBe('EngineFixture');
      await second.stop();
    } finally {
      await first.stop();
    }
    expect(lines).toEqual([]);
    expect(process.env.TASKHUB_NAME).toBeUndefined();
  });
});
