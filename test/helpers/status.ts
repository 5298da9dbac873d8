import fs from 'node:fs';
import path from 'node:path';
import { STATUS_FILE, type LastRun, type StatusRecord } from '../../src/core/status-record.js';

/** A finished, successful run as the status record keeps it; a test overrides what it is about (times, trigger, size). */
export function lastRun(overrides: Partial<LastRun> = {}): LastRun {
  const at = new Date().toISOString();
  return {
    startedAt: overrides.finishedAt ?? at,
    finishedAt: at,
    result: 'ok',
    trigger: 'schedule',
    archive: null,
    bytes: null,
    sha256: null,
    durationMs: 1,
    pauseMs: 1,
    pruned: [],
    hook: null,
    error: null,
    ...overrides,
  };
}

/** Writes `<stateDir>/openclaw-backup-status.json` as a run or the daemon leaves it: an empty record plus `fields`. */
export function writeStatusRecord(stateDir: string, fields: Partial<StatusRecord> = {}): string {
  const file = path.join(stateDir, STATUS_FILE);
  const record: StatusRecord = { version: 1, lastRun: null, lastSuccess: null, nextRunAt: null, daemon: null, ...fields };
  fs.writeFileSync(file, JSON.stringify(record));
  return file;
}
