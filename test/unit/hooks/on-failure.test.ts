import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLog } from '../../../src/core/log.js';
import { failureEnvironment, runOnFailureHook } from '../../../src/hooks/on-failure.js';
import type { RunOutcome } from '../../../src/hooks/run-outcome.js';
import { formatRunSummary } from '../../../src/hooks/run-summary.js';
import { makeTempDir } from '../../helpers/fixture.js';

const outcome: RunOutcome = {
  command: 'run',
  trigger: 'schedule',
  profile: 'work',
  stateDir: '/home/a/.openclaw-work',
  startedAt: '2026-11-21T03:15:00.000Z',
  finishedAt: '2026-11-21T03:15:04.000Z',
  result: 'failed',
  phase: 'verify',
  exitCode: 3,
  error: 'openclaw-backup/state/a.md: SHA-256 does not match\nsecond line',
  archive: '/b/x.tar.gz',
  bytes: 2048,
  files: 12,
  durationMs: 4000,
  pauseMs: 90,
  pruned: 0,
  warnings: ['state/openclaw.sqlite is corrupt (integrity_check failed); stored raw'],
};

describe('onFailure', () => {
  it('gets one-line error, exit code, phase, state dir, profile and the kept archive', () => {
    expect(failureEnvironment(outcome)).toEqual({
      OPENCLAW_BACKUP_ERROR: 'openclaw-backup/state/a.md: SHA-256 does not match second line',
      OPENCLAW_BACKUP_EXIT_CODE: '3',
      OPENCLAW_BACKUP_PHASE: 'verify',
      OPENCLAW_BACKUP_STATE_DIR: '/home/a/.openclaw-work',
      OPENCLAW_BACKUP_PROFILE: 'work',
      OPENCLAW_BACKUP_TRIGGER: 'schedule',
      OPENCLAW_BACKUP_ARCHIVE: '/b/x.tar.gz',
    });
  });

  it('runs through the shell with that environment', async () => {
    const dir = makeTempDir();
    const config = path.join(dir, 'openclaw.json');
    fs.writeFileSync(config, '{}', { mode: 0o600 });
    const out = path.join(dir, 'out');
    const hook = await runOnFailureHook({
      command: `printf '%s|%s' "$OPENCLAW_BACKUP_PHASE" "$OPENCLAW_BACKUP_EXIT_CODE" > ${out}`,
      configPath: config,
      outcome,
      timeoutMs: 10_000,
      log: silentLog,
    });
    expect(hook).toMatchObject({ exitCode: 0, error: null });
    expect(fs.readFileSync(out, 'utf8')).toBe('verify|3');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is refused, like postBackup, when others can write the config', async () => {
    const dir = makeTempDir();
    const config = path.join(dir, 'openclaw.json');
    fs.writeFileSync(config, '{}');
    fs.chmodSync(config, 0o666);
    const out = path.join(dir, 'out');
    const hook = await runOnFailureHook({ command: `touch ${out}`, configPath: config, outcome, timeoutMs: 10_000, log: silentLog });
    expect(hook.error).toBe(`onFailure refused: ${config} is writable by others (mode 0666); run chmod 600 ${config}`);
    expect(fs.existsSync(out)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('the ping body', () => {
  it('names the failed step, the error on one line, the kept archive and the warnings', () => {
    expect(formatRunSummary(outcome)).toBe(
      [
        'openclaw-backup run: failed in verify (profile work, trigger schedule, exit code 3)',
        'error: openclaw-backup/state/a.md: SHA-256 does not match second line',
        'archive: /b/x.tar.gz (kept)',
        'size: 2.0 KiB (2048 bytes), 12 files',
        'duration: 4.0 s, gateway paused 90 ms',
        'started: 2026-11-21T03:15:00.000Z',
        'state dir: /home/a/.openclaw-work',
        'warnings (1):',
        '- state/openclaw.sqlite is corrupt (integrity_check failed); stored raw',
        '',
      ].join('\n'),
    );
  });

  it('stays small whatever the warnings', () => {
    const body = formatRunSummary({ ...outcome, warnings: Array.from({ length: 500 }, (_, i) => `warning ${i} ${'x'.repeat(200)}`) });
    expect(body.length).toBeLessThanOrEqual(10_000);
    expect(body).toContain('… and 480 more (see the log)');
  });
});
