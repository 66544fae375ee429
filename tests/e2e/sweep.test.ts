// The timer starter, driven the way an operator would: POST /admin/functions/scheduledSweep runs
// the sweep now; the run it starts has the id of the schedule's current occurrence, so the test
// finds it through GET /api/runs/{instanceId}.
import { CronExpressionParser } from 'cron-parser';
import { sweepInstanceId } from '../../src/core/instanceIds';
import { useE2e } from './support/suite';

jest.setTimeout(180_000);

const e2e = useE2e({
  settings: (site) => ({
    SITEWATCH_TARGETS: JSON.stringify([site.url('/ok'), { url: site.url('/missing') }]),
  }),
});

/** The run id of the schedule's occurrence at `at` (the latest one at or before it). */
function occurrenceId(schedule: string, at: Date): string {
  const occurrence = CronExpressionParser.parse(schedule, {
    currentDate: new Date(at.getTime() + 1000),
    tz: 'UTC',
  });
  return sweepInstanceId(occurrence.prev().toDate());
}

test('POST /admin/functions/scheduledSweep starts the sweep, which checks the configured targets', async () => {
  const before = occurrenceId(e2e.deployment.sweepSchedule, new Date());
  const fired = await e2e.api.http.post('/admin/functions/scheduledSweep', {});
  expect(fired.status).toBe(202);
  const after = occurrenceId(e2e.deployment.sweepSchedule, new Date());

  // An occurrence boundary may fall between the two readings; the run has one of the two ids.
  const candidates = [...new Set([before, after])];
  let view: {
    instanceId: string;
    runtimeStatus: string;
    summary: { total: number; up: number; down: number };
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    const answers = await Promise.all(candidates.map((id) => e2e.api.http.get(`/api/runs/${id}`)));
    const found = answers.find((a) => a.status === 200 && a.data.runtimeStatus === 'Completed');
    if (found) {
      view = found.data;
      break;
    }
    expect(answers.every((a) => a.status === 200 || a.status === 404)).toBe(true);
    if (Date.now() > deadline) throw new Error(`No completed sweep among ${candidates.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }

  expect(view.instanceId).toMatch(/^sweep-\d{8}T\d{6}Z$/);
  expect(view).toMatchObject({ orchestrator: 'checkSites', runtimeStatus: 'Completed' });
  if (e2e.deployment.local) expect(view.summary).toMatchObject({ total: 2, up: 1, down: 1 });
  else expect(view.summary.total).toBeGreaterThan(0);
});
