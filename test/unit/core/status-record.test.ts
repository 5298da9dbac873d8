import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  emptyStatus,
  futureTimes,
  lastRunForCatchUp,
  MADE_LIMIT,
  readStatus,
  recordMade,
  wasMadeHere,
  statusPathFor,
  UNKNOWN_RUN_TIME,
  updateStatus,
} from '../../../src/core/status-record.js';
import { findMissedRun } from '../../../src/core/schedule.js';
import { makeTempDir } from '../../helpers/fixture.js';
import { lastRun } from '../../helpers/status.js';

describe('status record', () => {
  it('concurrent updates from one process are all applied', async () => {
    const dir = makeTempDir();
    await Promise.all([
      updateStatus(dir, (r) => ({ ...r, nextRunAt: '2026-01-01T00:00:00.000Z' })),
      updateStatus(dir, (r) => ({ ...r, daemon: { pid: 42, startedAt: '2026-01-01T00:00:00.000Z' } })),
      updateStatus(dir, (r) => ({ ...r, lastSuccess: r.lastRun })),
    ]);
    const { record, corrupt } = await readStatus(dir);
    expect(corrupt).toBe(false);
    expect(record).toMatchObject({ nextRunAt: '2026-01-01T00:00:00.000Z', daemon: { pid: 42 } });
  });

  it('a corrupt record is reported, and an update replaces it', async () => {
    const dir = makeTempDir();
    fs.writeFileSync(statusPathFor(dir), '{"version":1,');
    const read = await readStatus(dir);
    expect(read.corrupt).toBe(true);
    await updateStatus(dir, (r) => ({ ...r, nextRunAt: null }));
    expect((await readStatus(dir)).corrupt).toBe(false);
    expect(fs.statSync(statusPathFor(dir)).mode & 0o777).toBe(0o600);
  });
});

describe('a last run recorded in the future', () => {
  const now = new Date('2026-06-01T12:00:00.000Z');
  const run = (startedAt: string) => lastRun({ finishedAt: startedAt });
  const record = (startedAt: string | null) => ({
    version: 1 as const,
    lastRun: startedAt ? run(startedAt) : null,
    lastSuccess: null,
    nextRunAt: null,
    daemon: null,
  });
  const spec = { auto: true, schedule: '30 3 * * *', timezone: 'UTC' };
  const none = async () => null;

  it('is unknown for catch-up: the missed run is caught up instead of waiting for 2099', async () => {
    const last = await lastRunForCatchUp(record('2099-01-01T00:00:00.000Z'), none, now);
    expect(last).toEqual({ at: UNKNOWN_RUN_TIME, future: 'last run 2099-01-01T00:00:00.000Z' });
    expect(findMissedRun(spec, last.at, now)?.toISOString()).toBe('2026-06-01T03:30:00.000Z');
    expect(futureTimes(record('2099-01-01T00:00:00.000Z'), now)).toEqual(['last run 2099-01-01T00:00:00.000Z']);
  });

  it('falls back to a sane newest archive; a sane record, or a few seconds of skew, is trusted', async () => {
    const archived = new Date('2026-06-01T04:00:00.000Z');
    expect(await lastRunForCatchUp(record('2099-01-01T00:00:00.000Z'), async () => archived, now)).toEqual({
      at: archived,
      future: 'last run 2099-01-01T00:00:00.000Z',
    });
    expect(await lastRunForCatchUp(record('2026-06-01T12:00:30.000Z'), none, now)).toEqual({
      at: new Date('2026-06-01T12:00:30.000Z'),
      future: undefined,
    });
    expect(await lastRunForCatchUp(record(null), none, now)).toEqual({ at: null, future: undefined });
    expect(await lastRunForCatchUp(record(null), async () => new Date('2099-01-01T00:00:00.000Z'), now)).toEqual({
      at: UNKNOWN_RUN_TIME,
      future: 'newest archive 2099-01-01T00:00:00.000Z',
    });
  });
});

describe('the backups a state made', () => {
  it('are kept, bounded, and tell a backup made here from one that was not, and from one older than the record', () => {
    const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString();
    let record = emptyStatus();
    expect(wasMadeHere(record, { archive: 'x', createdAt: at(0) })).toBeUndefined();
    record = recordMade(record, { archive: 'a1', snapshot: 'full-1', createdAt: at(10) });
    expect(wasMadeHere(record, { archive: 'a1', snapshot: 'full-1', createdAt: at(10) })).toBe(true);
    expect(wasMadeHere(record, { archive: 'f', snapshot: 'forged', createdAt: at(11) })).toBe(false);
    expect(wasMadeHere(record, { archive: 'o', snapshot: 'older', createdAt: at(9) })).toBeUndefined();
    expect(wasMadeHere(record, { archive: '/b/openclaw-backup-x.tar', createdAt: at(12) })).toBe(false);
    for (let i = 0; i < MADE_LIMIT + 5; i += 1) record = recordMade(record, { archive: `n${i}`, createdAt: at(20 + i) });
    expect(record.made?.backups).toHaveLength(MADE_LIMIT);
    expect(wasMadeHere(record, { archive: 'a1', snapshot: 'full-1', createdAt: at(10) })).toBeUndefined();
    expect(record.made?.since).toBe(at(25));
  });
});
