import { expiredRuns, isRunBlob, rootOf, runCutoff, type ListedInstance } from '../../src/core/runRetention';

const DAY = 86_400_000;

const listed = (instanceId: string, name = 'checkSites', runtimeStatus = 'Completed'): ListedInstance => ({
  instanceId,
  name,
  runtimeStatus,
});

describe('runCutoff', () => {
  it('is `days` whole days before now, and undefined for 0 (keep forever)', () => {
    const now = Date.UTC(2026, 10, 30, 3, 47);
    expect(runCutoff(now, 30)).toEqual(new Date(now - 30 * DAY));
    expect(runCutoff(now, 1)).toEqual(new Date(now - DAY));
    expect(runCutoff(now, 0)).toBeUndefined();
  });
});

describe('rootOf', () => {
  it.each([
    ['abc', 'abc'],
    ['abc:part-3', 'abc'],
    ['abc:parts-0-19', 'abc'],
    ['abc:links', 'abc'],
    ['abc:links:part-1', 'abc'],
    ['sweep-20261125T124500Z:part-0', 'sweep-20261125T124500Z'],
  ])('%s belongs to %s', (id, root) => expect(rootOf(id)).toBe(root));
});

describe('isRunBlob', () => {
  it.each([
    'checks/run.json',
    'checks/run/part-0.json',
    'checks/run/targets/slice-4.json',
    'checks/run:links.json',
    'checks/run:links/part-1.json',
  ])('%s belongs to run', (name) => expect(isRunBlob('run', name)).toBe(true));

  it.each([
    'checks/run-2.json',
    'checks/run-2/part-0.json',
    'checks/run2.json',
    'checks/runx/part-0.json',
    'checks/run:linksx.json',
    'checks/run:other.json',
    'audits/run.json',
    'checks/run',
  ])('%s does not (another run, or named outright)', (name) => expect(isRunBlob('run', name)).toBe(false));
});

describe('expiredRuns', () => {
  it('groups sub-orchestrations under their root, in any order, children sorted', () => {
    const runs = expiredRuns(
      [
        listed('a:part-1'),
        listed('b', 'auditSite'),
        listed('a'),
        listed('b:links'),
        listed('a:part-0'),
        listed('b:links:part-0'),
      ],
      100,
    );
    expect(runs).toEqual([
      { rootId: 'a', rootListed: true, children: ['a:part-0', 'a:part-1'] },
      { rootId: 'b', rootListed: true, children: ['b:links', 'b:links:part-0'] },
    ]);
  });

  it('leaves out monitors and anything not finished, whatever the query returned', () => {
    const runs = expiredRuns(
      [
        listed('monitor:shop', 'watchSite', 'Completed'),
        listed('monitor:api', 'watchSite', 'Terminated'),
        listed('live', 'checkSites', 'Running'),
        listed('held', 'auditSite', 'Suspended'),
        listed('waiting', 'checkSites', 'Pending'),
        listed('failed', 'checkSites', 'Failed'),
        listed('stopped', 'checkSites', 'Terminated'),
      ],
      100,
    );
    expect(runs.map((r) => r.rootId)).toEqual(['failed', 'stopped']);
  });

  it('marks children listed without their root, so the caller can ask whether the root still exists', () => {
    expect(expiredRuns([listed('gone:part-0'), listed('gone:part-1')], 100)).toEqual([
      { rootId: 'gone', rootListed: false, children: ['gone:part-0', 'gone:part-1'] },
    ]);
  });

  it('stops at the cap without splitting a run; a run larger than the cap goes alone', () => {
    const many = [listed('a'), listed('a:part-0'), listed('a:part-1'), listed('b'), listed('c')];
    expect(expiredRuns(many, 4).map((r) => r.rootId)).toEqual(['a', 'b']);
    expect(expiredRuns(many, 3).map((r) => r.rootId)).toEqual(['a']);
    expect(expiredRuns(many, 1).map((r) => r.rootId)).toEqual(['a']);
    expect(expiredRuns(many, 100).map((r) => r.rootId)).toEqual(['a', 'b', 'c']);
  });
});
