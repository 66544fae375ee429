import {
  childRanges,
  chunk,
  intermediateBlobNames,
  nodeInstanceId,
  partBlobPrefix,
  sliceBlob,
  sliceCount,
  targetsIn,
  type SliceRange,
} from '../../src/core/checkRun';

const covered = (ranges: SliceRange[]) =>
  ranges.flatMap((r) => Array.from({ length: r.count }, (_, i) => r.first + i));

describe('childRanges', () => {
  test('splits a range into at most fanOut contiguous children that cover it exactly once', () => {
    for (const count of [1, 2, 19, 20, 21, 200, 399, 1000]) {
      const range = { first: 7, count };
      const children = childRanges(range, 20);
      expect(children.length).toBe(Math.min(20, count));
      expect(covered(children)).toEqual(Array.from({ length: count }, (_, i) => 7 + i));
      const sizes = children.map((c) => c.count);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  test('puts the larger children first', () => {
    expect(childRanges({ first: 0, count: 7 }, 3)).toEqual([
      { first: 0, count: 3 },
      { first: 3, count: 2 },
      { first: 5, count: 2 },
    ]);
  });

  test('a tree of fan-out 20 over 200 slices (100,000 targets) is two levels deep', () => {
    const depth = (range: SliceRange): number =>
      range.count === 1 ? 0 : 1 + Math.max(...childRanges(range, 20).map(depth));
    expect(depth({ first: 0, count: 200 })).toBe(2);
    expect(depth({ first: 0, count: 20 })).toBe(1);
  });

  test('refuses a fan-out that cannot shrink a range', () => {
    expect(() => childRanges({ first: 0, count: 4 }, 1)).toThrow(RangeError);
    expect(() => childRanges({ first: 0, count: 4 }, 2.5)).toThrow(RangeError);
  });
});

describe('slices', () => {
  const ref = { prefix: 'checks/abc/targets', total: 1001, sliceSize: 500 };

  test('count, names and the targets a range holds (the last slice is shorter)', () => {
    expect(sliceCount(ref)).toBe(3);
    expect(sliceBlob(ref.prefix, 2)).toBe('checks/abc/targets/slice-2.json');
    expect(targetsIn(ref, { first: 0, count: 3 })).toBe(1001);
    expect(targetsIn(ref, { first: 1, count: 1 })).toBe(500);
    expect(targetsIn(ref, { first: 2, count: 1 })).toBe(1);
    expect(targetsIn(ref, { first: 1, count: 2 })).toBe(501);
  });

  test('node ids: a partition keeps the inline name, a group names its slices', () => {
    expect(nodeInstanceId('r', { first: 4, count: 1 })).toBe('r:part-4');
    expect(nodeInstanceId('r', { first: 20, count: 10 })).toBe('r:parts-20-29');
  });

  test("a run's intermediate blobs: every slice and every part by name, under its own folder only", () => {
    const names = intermediateBlobNames({
      targetsRef: ref,
      parts: { prefix: partBlobPrefix('abc'), count: 3 },
    });
    expect(names).toEqual([
      'checks/abc/targets/slice-0.json',
      'checks/abc/targets/slice-1.json',
      'checks/abc/targets/slice-2.json',
      'checks/abc/part-0.json',
      'checks/abc/part-1.json',
      'checks/abc/part-2.json',
    ]);
    // Never the report (`checks/abc.json`), never a run whose id starts the same (`abc-2`).
    for (const name of names) expect(name.startsWith('checks/abc/')).toBe(true);
    // An inline partitioned run names its parts itself, and has no slices.
    expect(intermediateBlobNames({ parts: ['checks/x/part-0.json'] })).toEqual(['checks/x/part-0.json']);
  });
});

test('chunk splits in order and refuses a bad size', () => {
  expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  expect(() => chunk([1], 0)).toThrow(RangeError);
});
