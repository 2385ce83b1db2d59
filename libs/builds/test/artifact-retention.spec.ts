import { selectForRetention, type RetentionEntry } from '@pfnlab/builds';

const NOW = new Date('2025-06-30T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString();
const entry = (key: string, bytes: number, ageDays: number): RetentionEntry => ({ key, bytes, lastUsedAt: daysAgo(ageDays) });

describe('selectForRetention', () => {
  const entries = [entry('fresh', 100, 1), entry('week', 200, 7), entry('month', 300, 31), entry('year', 400, 365)];

  it('keeps everything without limits', () => {
    expect(selectForRetention(entries, {}, NOW)).toEqual({ remove: [], keptBytes: 1000 });
  });

  it('removes builds unused for longer than maxAgeDays, oldest first', () => {
    expect(selectForRetention(entries, { maxAgeDays: 30 }, NOW)).toEqual({ remove: ['year', 'month'], keptBytes: 300 });
    // Exactly at the limit is not older than it.
    expect(selectForRetention(entries, { maxAgeDays: 7 }, NOW).remove).toEqual(['year', 'month']);
    expect(selectForRetention(entries, { maxAgeDays: 0 }, NOW).remove).toEqual(['year', 'month', 'week', 'fresh']);
  });

  it('then removes the least recently used until the total fits maxTotalBytes', () => {
    expect(selectForRetention(entries, { maxTotalBytes: 350 }, NOW)).toEqual({ remove: ['year', 'month'], keptBytes: 300 });
    expect(selectForRetention(entries, { maxTotalBytes: 299 }, NOW)).toEqual({ remove: ['year', 'month', 'week'], keptBytes: 100 });
    expect(selectForRetention(entries, { maxTotalBytes: 1000 }, NOW)).toEqual({ remove: [], keptBytes: 1000 });
    expect(selectForRetention(entries, { maxTotalBytes: 0 }, NOW)).toEqual({ remove: ['year', 'month', 'week', 'fresh'], keptBytes: 0 });
  });

  it('applies age first, then size', () => {
    expect(selectForRetention(entries, { maxAgeDays: 100, maxTotalBytes: 250 }, NOW)).toEqual({ remove: ['year', 'month', 'week'], keptBytes: 100 });
  });

  it('never removes kept keys, even when the total stays above the limit', () => {
    expect(selectForRetention(entries, { maxAgeDays: 30, keep: ['year'] }, NOW)).toEqual({ remove: ['month'], keptBytes: 700 });
    expect(selectForRetention(entries, { maxTotalBytes: 450, keep: ['year'] }, NOW)).toEqual({ remove: ['month', 'week', 'fresh'], keptBytes: 400 });
    expect(selectForRetention(entries, { maxTotalBytes: 0, keep: ['year', 'fresh'] }, NOW)).toEqual({ remove: ['month', 'week'], keptBytes: 500 });
  });

  it('is deterministic whatever the input order; equal times are ordered by key', () => {
    const same = [entry('b', 10, 3), entry('c', 10, 3), entry('a', 10, 3)];
    const r1 = selectForRetention(same, { maxTotalBytes: 10 }, NOW);
    const r2 = selectForRetention([...same].reverse(), { maxTotalBytes: 10 }, NOW);
    expect(r1).toEqual({ remove: ['a', 'b'], keptBytes: 10 });
    expect(r2).toEqual(r1);
    expect(selectForRetention([...entries].reverse(), { maxTotalBytes: 299 }, NOW)).toEqual(selectForRetention(entries, { maxTotalBytes: 299 }, NOW));
  });

  it('refuses bad data with a clear error', () => {
    expect(() => selectForRetention([entry('a', 1, 1), entry('a', 2, 2)], {}, NOW)).toThrow(/key a is listed twice/);
    expect(() => selectForRetention([{ key: 'a', bytes: 1, lastUsedAt: 'yesterday' }], {}, NOW)).toThrow(/a has an invalid lastUsedAt "yesterday"/);
    expect(() => selectForRetention([entry('a', -1, 1)], {}, NOW)).toThrow(/invalid size/);
    expect(() => selectForRetention(entries, { maxAgeDays: -1 }, NOW)).toThrow(/maxAgeDays must be a number >= 0/);
    expect(() => selectForRetention(entries, { maxTotalBytes: Number.NaN }, NOW)).toThrow(/maxTotalBytes/);
    expect(() => selectForRetention(entries, {}, new Date('nope'))).toThrow(/now is not a valid date/);
  });
});
