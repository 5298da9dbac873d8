import { describe, expect, it } from 'vitest';
import { findMissedRun, nextFireTime, previousFireTime } from '../../../src/core/schedule.js';

const daily = { auto: true, schedule: '30 3 * * *', timezone: 'UTC' };

describe('schedule arithmetic', () => {
  it('finds the previous and next fire times in the configured zone', () => {
    const now = new Date('2026-05-10T12:00:00Z');
    expect(previousFireTime(daily, now)?.toISOString()).toBe('2026-05-10T03:30:00.000Z');
    expect(nextFireTime(daily, now)?.toISOString()).toBe('2026-05-11T03:30:00.000Z');
    expect(nextFireTime({ ...daily, timezone: 'Europe/Berlin' }, now)?.toISOString()).toBe('2026-05-11T01:30:00.000Z');
    expect(nextFireTime({ ...daily, auto: false }, now)).toBeNull();
  });

  it('a run missed since the last one is caught up once, however many slots were missed', () => {
    const now = new Date('2026-05-10T12:00:00Z');
    expect(findMissedRun(daily, new Date('2026-05-01T03:30:00Z'), now)?.toISOString()).toBe('2026-05-10T03:30:00.000Z');
    expect(findMissedRun(daily, new Date('2026-05-10T03:30:01Z'), now)).toBeNull();
    expect(findMissedRun(daily, null, now)).toBeNull();
    expect(findMissedRun({ ...daily, auto: false }, new Date('2026-01-01T00:00:00Z'), now)).toBeNull();
  });
});
