import { describe, expect, it } from 'vitest';
import { findMissedRun, nextFireTime, previousFireTime, slotCoveredBy } from '../../../src/core/schedule.js';

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

describe('slotCoveredBy: no catch-up and scheduled backup moments apart', () => {
  const at = (iso: string) => new Date(iso);
  it('a catch-up started half a second before an every-minute slot covers it', () => {
    const spec = { schedule: '* * * * *', timezone: 'UTC' };
    expect(slotCoveredBy(spec, at('2026-11-21T03:29:59.500Z'), at('2026-11-21T03:30:00.000Z'))).toBe(true);
  });

  it('a backup from the previous slot, or long before, does not', () => {
    const minute = { schedule: '* * * * *', timezone: 'UTC' };
    expect(slotCoveredBy(minute, at('2026-11-21T03:29:00.000Z'), at('2026-11-21T03:30:00.000Z'))).toBe(false);
    expect(slotCoveredBy(minute, undefined, at('2026-11-21T03:30:00.000Z'))).toBe(false);
    const daily = { schedule: '30 3 * * *', timezone: 'UTC' };
    // A catch-up two minutes before the daily slot: the cover is at most a minute, so the slot runs.
    expect(slotCoveredBy(daily, at('2026-11-21T03:28:00.000Z'), at('2026-11-21T03:30:00.000Z'))).toBe(false);
    expect(slotCoveredBy(daily, at('2026-11-21T03:29:30.000Z'), at('2026-11-21T03:30:00.000Z'))).toBe(true);
  });

  it('an every-second schedule keeps every slot its own backup', () => {
    const second = { schedule: '* * * * * *', timezone: 'UTC' };
    expect(slotCoveredBy(second, at('2026-11-21T03:29:59.000Z'), at('2026-11-21T03:30:00.000Z'))).toBe(false);
    expect(slotCoveredBy(second, at('2026-11-21T03:29:59.700Z'), at('2026-11-21T03:30:00.000Z'))).toBe(true);
  });
});
