// Real-clock timer firing through startHost (what the CLI turns on), with a %SETTING% schedule.
import path from 'node:path';
import { startHost } from './index';

const appDir = path.join(__dirname, '..', 'fixtures', 'edges-app');

describe('timer triggers on the real clock', () => {
  it('fires a timer whose schedule comes from a setting', async () => {
    const host = await startHost({
      appDir,
      storage: 'none',
      clock: 'real',
      fireTimers: true,
      settings: { TICK_SCHEDULE: '* * * * * *' },
    });
    try {
      const status = await host.waitForStatus('tick', ['Completed'], { timeoutMs: 30_000 });
      expect(status.output).toBe('Hello, tick!');
    } finally {
      await host.stop();
    }
  }, 60_000);

  it('refuses to start an app whose timer schedule is invalid, naming the function', async () => {
    await expect(
      startHost({ appDir, storage: 'none', settings: { TICK_SCHEDULE: '*/5 * * * *' } }),
    ).rejects.toThrow(/Timer function 'tick'.*expected 6 fields/);
  });
});
