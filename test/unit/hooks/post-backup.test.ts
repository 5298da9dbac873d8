import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Log } from '../../../src/core/log.js';
import { isProcessAlive } from '../../../src/core/fs/atomic.js';
import { checkConfigFileForHook, runPostBackupHook } from '../../../src/hooks/post-backup.js';
import { makeTempDir } from '../../helpers/fixture.js';

function memoryLog(): Log & { lines: { level: string; fields: Record<string, unknown>; message: string }[] } {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => void lines.push({ level, fields, message });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const env = {
  archive: '/b/openclaw-backup-default-x.tar.gz',
  dir: '/b',
  bytes: 1234,
  sha256: 'ab'.repeat(32),
  stateDir: '/s',
  profile: 'default',
};

describe('runPostBackupHook', () => {
  it('runs through the shell with the OPENCLAW_* env and logs output line by line', async () => {
    const log = memoryLog();
    const hook = await runPostBackupHook({
      command:
        'echo "$OPENCLAW_BACKUP_ARCHIVE|$OPENCLAW_BACKUP_DIR|$OPENCLAW_BACKUP_BYTES|$OPENCLAW_BACKUP_SHA256|$OPENCLAW_STATE_DIR|$OPENCLAW_PROFILE" | tr a-z A-Z; printf "one\\ntwo\\n" >&2',
      env,
      timeoutMs: 10_000,
      log,
      baseEnv: { PATH: process.env.PATH },
    });
    expect(hook).toMatchObject({ exitCode: 0, timedOut: false, error: null });
    const of = (stream: string) => log.lines.filter((l) => l.fields.hook === stream).map((l) => l.message);
    expect(of('stdout')).toEqual([`/B/OPENCLAW-BACKUP-DEFAULT-X.TAR.GZ|/B|1234|${'AB'.repeat(32)}|/S|DEFAULT`]);
    expect(of('stderr')).toEqual(['one', 'two']);
  });

  it('reports a non-zero exit', async () => {
    const hook = await runPostBackupHook({ command: 'exit 3', env, timeoutMs: 10_000, log: memoryLog() });
    expect(hook).toMatchObject({ exitCode: 3, timedOut: false, error: 'postBackup exited with code 3' });
  });

  it('kills the whole process group on timeout, children included', async () => {
    const dir = makeTempDir();
    const pidFile = path.join(dir, 'child.pid');
    const started = Date.now();
    const hook = await runPostBackupHook({
      command: `sleep 60 & echo $! > ${pidFile}; wait`,
      env,
      timeoutMs: 700,
      log: memoryLog(),
      killGraceMs: 500,
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(hook.timedOut).toBe(true);
    expect(hook.error).toBe('postBackup timed out after 700 ms; its process group was killed');
    const child = Number(fs.readFileSync(pidFile, 'utf8'));
    await expect.poll(() => isProcessAlive(child), { timeout: 5000 }).toBe(false);
  });

  it('an abort kills the hook', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const hook = await runPostBackupHook({ command: 'sleep 60', env, timeoutMs: 60_000, log: memoryLog(), signal: controller.signal });
    expect(hook.error).toBe('postBackup interrupted; its process group was killed');
  });
});

describe('checkConfigFileForHook', () => {
  it('refuses a config file that group or others can write', async () => {
    const dir = makeTempDir();
    const file = path.join(dir, 'openclaw.json');
    fs.writeFileSync(file, '{}', { mode: 0o600 });
    expect(await checkConfigFileForHook(file)).toBeUndefined();
    fs.chmodSync(file, 0o620);
    expect(await checkConfigFileForHook(file)).toBe(
      `postBackup refused: ${file} is writable by its group (mode 0620); run chmod 600 ${file}`,
    );
    fs.chmodSync(file, 0o646);
    expect(await checkConfigFileForHook(file)).toMatch(/mode 0646/);
  });
});
