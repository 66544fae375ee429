// tests/host on the engine fixture app (tests/fixtures/engine-app, no storage), started once for a
// test file. Each test may hold the virtual clock; the next one starts with it skipping again.
import path from 'node:path';
import { startHost, type Host } from './index';

export const ENGINE_APP = path.join(__dirname, '..', 'fixtures', 'engine-app');

export function useEngineHost(): { host: Host } {
  const engine = {} as { host: Host };
  beforeAll(async () => {
    engine.host = await startHost({ appDir: ENGINE_APP, storage: 'none' });
  });
  afterEach(() => {
    engine.host.clock.autoSkip = true;
  });
  afterAll(async () => {
    await engine.host?.stop();
  });
  return engine;
}
