import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMetrics, type MetricsInput } from '../../../src/core/metrics/render-metrics.js';
import { writeMetricsFile } from '../../../src/core/metrics/write-metrics.js';
import { makeTempDir } from '../../helpers/fixture.js';
import { promtoolCheck } from '../../helpers/promtool.js';

const now = new Date('2026-11-21T04:00:00.000Z');
const input = (overrides: Partial<MetricsInput> = {}): MetricsInput => ({
  profile: 'default',
  now,
  lastRun: { finishedAt: '2026-11-21T03:15:07.500Z', exitCode: 0, durationMs: 7500, bytes: 123_456, files: 42, pauseMs: 180 },
  lastSuccessAt: '2026-11-21T03:15:07.500Z',
  totals: { kind: 'archives', count: 3, bytes: 370_000, newestAt: new Date('2026-11-21T03:15:00.000Z') },
  ...overrides,
});

const sample = (text: string, name: string) => new RegExp(`^openclaw_backup_${name}\\{profile="[^"]*"\\} (\\S+)$`, 'm').exec(text)?.[1];

describe('renderMetrics', () => {
  it('writes every fact as a gauge with HELP, TYPE and the profile label; promtool accepts it', () => {
    const text = renderMetrics(input());
    expect(promtoolCheck(text)).toEqual({ code: 0, output: '' });
    expect(sample(text, 'last_run_timestamp_seconds')).toBe(String(Date.parse('2026-11-21T03:15:07.500Z') / 1000));
    expect(sample(text, 'last_success_timestamp_seconds')).toBe(String(Date.parse('2026-11-21T03:15:07.500Z') / 1000));
    expect(sample(text, 'last_exit_code')).toBe('0');
    expect(sample(text, 'last_run_duration_seconds')).toBe('7.5');
    expect(sample(text, 'last_run_bytes')).toBe('123456');
    expect(sample(text, 'last_run_files')).toBe('42');
    expect(sample(text, 'last_run_pause_seconds')).toBe('0.18');
    expect(sample(text, 'archives')).toBe('3');
    expect(sample(text, 'archives_bytes')).toBe('370000');
    expect(sample(text, 'newest_archive_timestamp_seconds')).toBe(String(Date.parse('2026-11-21T03:15:00.000Z') / 1000));
    expect(sample(text, 'newest_archive_age_seconds')).toBe('2700');
    expect(text.match(/^# TYPE /gm)).toHaveLength(11);
  });

  it('a failed first run with no archives: exit code, zero success time, no age; still valid', () => {
    const text = renderMetrics(
      input({
        lastRun: { finishedAt: now.toISOString(), exitCode: 1, durationMs: 20, bytes: null, files: null, pauseMs: null },
        lastSuccessAt: null,
        totals: { kind: 'archives', count: 0, bytes: 0, newestAt: null },
      }),
    );
    expect(promtoolCheck(text)).toEqual({ code: 0, output: '' });
    expect(sample(text, 'last_exit_code')).toBe('1');
    expect(sample(text, 'last_success_timestamp_seconds')).toBe('0');
    expect(sample(text, 'newest_archive_age_seconds')).toBeUndefined();
  });

  it('escapes the profile label', () => {
    const text = renderMetrics(input({ profile: 'we"ird\\one' }));
    expect(text).toContain('openclaw_backup_last_exit_code{profile="we\\"ird\\\\one"} 0');
    expect(promtoolCheck(text).code).toBe(0);
  });

  it('the check can fail: promtool rejects a broken exposition', () => {
    expect(promtoolCheck('openclaw_backup_x{profile="a} 1\n').code).not.toBe(0);
    expect(promtoolCheck('# TYPE openclaw_backup_x counter\nopenclaw_backup_x{profile="a"} 1\n').code).not.toBe(0);
  });
});

describe('writeMetricsFile', () => {
  it('writes 0644 whatever the umask, replaces the file by rename and removes temps of dead writers', async () => {
    const dir = makeTempDir('ocb-metrics-');
    const file = path.join(dir, 'openclaw-backup.prom');
    const dead = path.join(dir, 'openclaw-backup.prom.999999999-abcd1234.tmp');
    fs.writeFileSync(dead, 'half');
    const before = process.umask(0o077);
    try {
      await writeMetricsFile(file, input());
      const inode = fs.statSync(file).ino;
      await writeMetricsFile(file, input({ lastRun: { ...input().lastRun, exitCode: 3 } }));
      expect(fs.statSync(file).ino).not.toBe(inode);
    } finally {
      process.umask(before);
    }
    expect(fs.statSync(file).mode & 0o777).toBe(0o644);
    expect(sample(fs.readFileSync(file, 'utf8'), 'last_exit_code')).toBe('3');
    expect(fs.readdirSync(dir)).toEqual(['openclaw-backup.prom']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
