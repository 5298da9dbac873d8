import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readStatus, statusPathFor, updateStatus } from '../../../src/core/status-record.js';
import { makeTempDir } from '../../helpers/fixture.js';

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
