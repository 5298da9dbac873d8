import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoWeekKey, planRetention } from '../../../src/core/retention/retention.js';

const at = (iso: string) => ({ id: iso, createdAt: new Date(iso) });
const ids = (items: { id: string }[]) => items.map((i) => i.id);
const kept = (plan: ReturnType<typeof planRetention<{ id: string; createdAt: Date }>>) => plan.keep.map((k) => k.item.id);

describe('planRetention (restic forget semantics)', () => {
  it('a count keeps the newest N, whatever order they come in', () => {
    const items = ['2026-01-03T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-04T00:00:00Z', '2026-01-02T00:00:00Z'].map(at);
    const plan = planRetention(items, 2, 'UTC');
    expect(kept(plan)).toEqual(['2026-01-04T00:00:00Z', '2026-01-03T00:00:00Z']);
    expect(ids(plan.remove)).toEqual(['2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z']);
  });

  it('follows the documented example: daily and weekly buckets, and the oldest kept while weekly has counts left', () => {
    const items = ['2026-01-09T10:00:00Z', '2026-01-02T22:00:00Z', '2026-01-02T10:00:00Z', '2026-01-01T10:00:00Z'].map(at);
    const plan = planRetention(items, { keepDaily: 2, keepWeekly: 3 }, 'UTC');
    expect(plan.keep.map((k) => [k.item.id, k.reasons])).toEqual([
      ['2026-01-09T10:00:00Z', ['daily', 'weekly']],
      ['2026-01-02T22:00:00Z', ['daily', 'weekly']],
      ['2026-01-01T10:00:00Z', ['oldest weekly']],
    ]);
    expect(ids(plan.remove)).toEqual(['2026-01-02T10:00:00Z']);
  });

  it('keeps the newest archive of each period, and buckets are independent and OR-ed', () => {
    // Hourly archives over three days.
    const items = [];
    for (let day = 1; day <= 3; day += 1)
      for (const hour of [1, 9, 17]) items.push(at(`2026-03-0${day}T${String(hour).padStart(2, '0')}:00:00Z`));
    const plan = planRetention(items, { keepLast: 2, keepDaily: 2 }, 'UTC');
    // last: 03T17, 03T09; daily: 03T17 (day 3), 02T17 (day 2). Union, not sum.
    expect(kept(plan)).toEqual(['2026-03-03T17:00:00Z', '2026-03-03T09:00:00Z', '2026-03-02T17:00:00Z']);
    expect(plan.keep[0]?.reasons).toEqual(['last', 'daily']);
  });

  it('hourly, monthly and yearly use calendar periods', () => {
    const items = [
      '2026-05-01T10:59:00Z',
      '2026-05-01T10:01:00Z',
      '2026-05-01T09:30:00Z',
      '2026-04-30T10:00:00Z',
      '2025-12-31T23:00:00Z',
      '2024-06-01T00:00:00Z',
    ].map(at);
    expect(kept(planRetention(items, { keepHourly: 2 }, 'UTC'))).toEqual(['2026-05-01T10:59:00Z', '2026-05-01T09:30:00Z']);
    expect(kept(planRetention(items, { keepMonthly: 2 }, 'UTC'))).toEqual(['2026-05-01T10:59:00Z', '2026-04-30T10:00:00Z']);
    expect(kept(planRetention(items, { keepYearly: 5 }, 'UTC'))).toEqual([
      '2026-05-01T10:59:00Z',
      '2025-12-31T23:00:00Z',
      '2024-06-01T00:00:00Z',
    ]);
  });

  it('evaluates periods in the given time zone', () => {
    // 23:30 and 23:10 UTC on Jan 1 are already Jan 2 in Berlin.
    const items = ['2026-01-01T23:30:00Z', '2026-01-01T23:10:00Z', '2026-01-01T22:50:00Z', '2026-01-01T22:40:00Z'].map(at);
    expect(kept(planRetention(items, { keepDaily: 2 }, 'Europe/Berlin'))).toEqual(['2026-01-01T23:30:00Z', '2026-01-01T22:50:00Z']);
    // In UTC they are one day: the newest, then the oldest (daily still has a count left there).
    expect(kept(planRetention(items, { keepDaily: 2 }, 'UTC'))).toEqual(['2026-01-01T23:30:00Z', '2026-01-01T22:40:00Z']);
  });

  it('numbers ISO weeks like Go time.ISOWeek (year boundaries)', () => {
    expect(isoWeekKey({ year: 2020, month: 12, day: 31 })).toBe(202053);
    expect(isoWeekKey({ year: 2021, month: 1, day: 3 })).toBe(202053);
    expect(isoWeekKey({ year: 2021, month: 1, day: 4 })).toBe(202101);
    expect(isoWeekKey({ year: 2024, month: 12, day: 30 })).toBe(202501);
    expect(isoWeekKey({ year: 2026, month: 1, day: 1 })).toBe(202601);
  });

  it('never removes the newest archive and keeps exactly min(N, count) for keepLast', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4_000_000_000_000 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 10 }),
        (times, n) => {
          const items = times.map((t, i) => ({ id: String(i), createdAt: new Date(t) }));
          const plan = planRetention(items, n, 'UTC');
          const newest = Math.max(...times);
          expect(plan.keep[0]?.item.createdAt.getTime()).toBe(newest);
          expect(plan.keep).toHaveLength(Math.min(n, items.length));
          expect(plan.keep.length + plan.remove.length).toBe(items.length);
        },
      ),
    );
  });
});
