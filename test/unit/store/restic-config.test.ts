import { describe, expect, it } from 'vitest';
import { parseBackupBlock } from '../../../src/config/load.js';
import { BackupError, ConfigError } from '../../../src/errors.js';
import {
  describeResticFailure,
  hungError,
  isLockDenied,
  isLockDeniedLine,
  onlyOwnershipErrors,
} from '../../../src/core/store/restic-errors.js';
import { DEFAULT_RESTIC_LIMITS, formatDuration, isLongCommand, isReadCommand } from '../../../src/core/store/restic-limits.js';
import { sandboxHint } from '../../../src/core/sandbox-hint.js';
import { resticEnv, stripCredentials, type ResticRepository } from '../../../src/core/store/restic-repository.js';

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const repo: ResticRepository = {
  url: 'rest:https://u:topsecret@host:8000/',
  location: 'rest:https://u:***@host:8000/',
  password: { file: '/k/pw' },
  keyPath: 'backup.repository',
  passwordKey: 'backup.repository.passwordFile',
  globalArgs: [],
  env: { PATH: '/usr/bin', RESTIC_PASSWORD: 'inherited', RESTIC_PASSWORD_COMMAND: 'pass show x', RESTIC_REPOSITORY: '/elsewhere' },
};

describe('backup.repository', () => {
  it('takes { url, passwordFile } or { url, passwordEnv }; errors name the key', () => {
    expect(parseBackupBlock({ repository: { url: '/srv/r', passwordFile: '~/pw' } }).repository).toEqual({
      url: '/srv/r',
      passwordFile: '~/pw',
      commandTimeout: 15 * 60_000,
      stallTimeout: 30 * 60_000,
      lockWait: 30 * 60_000,
    });
    expect(
      parseBackupBlock({ repository: { url: '/srv/r', passwordFile: 'a', commandTimeout: '90s', stallTimeout: 5, lockWait: '1h' } })
        .repository,
    ).toMatchObject({ commandTimeout: 90_000, stallTimeout: 5_000, lockWait: 3_600_000 });
    expect(errorOf(() => parseBackupBlock({ repository: { url: '/r', passwordFile: 'a', stallTimeout: 'soon' } }))).toBe(
      'backup.repository.stallTimeout: expected a duration such as "30m", "90s", "1h" or a number of seconds',
    );
    expect(
      parseBackupBlock({ repository: { url: 'sftp:h:/r', passwordEnv: 'RESTIC_PASSWORD', options: { 'sftp.command': 'ssh h -s sftp' } } })
        .repository?.options,
    ).toEqual({ 'sftp.command': 'ssh h -s sftp' });
    expect(errorOf(() => parseBackupBlock({ repository: { url: '/srv/r' } }))).toBe('backup.repository: set passwordFile or passwordEnv');
    expect(errorOf(() => parseBackupBlock({ repository: { url: '/srv/r', passwordFile: 'a', passwordEnv: 'B' } }))).toBe(
      'backup.repository: choose one: passwordFile or passwordEnv',
    );
    expect(errorOf(() => parseBackupBlock({ repository: { url: '', passwordFile: 'a' } }))).toBe(
      'backup.repository.url: expected a restic repository URL',
    );
    expect(errorOf(() => parseBackupBlock({ repository: { url: '/r', passwordEnv: '1x' } }))).toBe(
      'backup.repository.passwordEnv: expected an environment variable name',
    );
    expect(errorOf(() => parseBackupBlock({ repository: { url: 'rest:https://u:pw@h/', passwordFile: 'a', extra: 1 } }))).toBe(
      'backup.repository.extra: unknown key',
    );
    expect(errorOf(() => parseBackupBlock({ repository: { url: '/r', passwordFile: 'a' }, encrypt: { passphraseEnv: 'P' } }))).toMatch(
      /^backup\.encrypt: not used with repository/,
    );
  });

  it('never echoes a repository value (a URL may carry credentials)', () => {
    expect(errorOf(() => parseBackupBlock({ repository: { url: 42, passwordFile: 'a' } }))).not.toContain('42');
  });
});

describe('restic environment and messages', () => {
  it('hands restic our repository and password file only, through the environment', () => {
    const env = resticEnv(repo);
    expect(env).toMatchObject({ RESTIC_REPOSITORY: repo.url, RESTIC_PASSWORD_FILE: '/k/pw', PATH: '/usr/bin' });
    expect(env.RESTIC_PASSWORD).toBeUndefined();
    expect(env.RESTIC_PASSWORD_COMMAND).toBeUndefined();
    expect(resticEnv({ ...repo, password: { env: 'MY_PW' }, env: { MY_PW: 'v' } })).toMatchObject({ RESTIC_PASSWORD: 'v' });
    expect(stripCredentials('s3:https://key:secret@minio:9000/b')).toBe('s3:https://key:***@minio:9000/b');
    expect(stripCredentials('sftp:user@host:/srv/r')).toBe('sftp:user@host:/srv/r');
  });

  it('maps restic failures to one line and our exit kinds, without credentials', () => {
    const kind = (stderr: string, code = 1) => describeResticFailure(repo, 'snapshots', code, stderr);
    expect(kind('Fatal: wrong password or no key found\n')).toMatchObject({
      kind: 'config',
      message:
        'backup.repository.passwordFile: wrong password for repository rest:https://u:***@host:8000/ (restic: wrong password or no key found)',
    });
    expect(
      kind(
        'Fatal: unable to open config file: <config/> does not exist\nIs there a repository at the following location?\nrest:https://u:***@host:8000/\n',
      ).kind,
    ).toBe('config');
    const down = kind(
      'Fatal: unable to open config file: Stat: Head "https://u:topsecret@host:8000/config": dial tcp 127.0.0.1:8000: connect: connection refused\nIs there a repository at the following location?\n',
    );
    expect(down).toMatchObject({ kind: 'failure' });
    expect(down.message).toMatch(/^cannot reach repository rest:https:\/\/u:\*\*\*@host:8000\//);
    expect(down.message).not.toContain('topsecret');
    expect(kind('unable to create lock in backend: repository is already locked by PID 12 on box by root (UID 0, GID 0)\n').kind).toBe(
      'busy',
    );
    expect(kind('cannot dump file: decrypting blob 1234 failed: ciphertext verification failed\n', 2).kind).toBe('integrity');
    const other = kind('Fatal: something else went wrong\n');
    expect(other).toBeInstanceOf(BackupError);
    expect(other.message).toBe('restic snapshots failed on repository rest:https://u:***@host:8000/: something else went wrong (exit 1)');
  });

  it('tells a lock restic cannot write (read-only) from one held by someone else, and names the sandbox under our unit', () => {
    const line = 'Save(<lock/2f4758e95e>) returned error, retrying after 552.330144ms: open /srv/r/locks/2f47-tmp-1: read-only file system';
    expect(isLockDeniedLine(line)).toBe(true);
    expect(isLockDeniedLine('Save(<data/2f4758e95e>) returned error, retrying after 1s: connection refused')).toBe(false);
    expect(isLockDeniedLine('Save(<lock/2f4758e95e>) returned error, retrying after 1s: dial tcp: connection refused')).toBe(false);
    expect(isLockDenied(`${line}\nunable to create lock in backend\n`)).toBe(true);
    expect(isLockDenied('unable to create lock in backend: repository is already locked by PID 12 on box\n')).toBe(false);
    const plain = describeResticFailure(repo, 'backup', 1, `${line}\nunable to create lock in backend\n`);
    expect(plain).toMatchObject({ kind: 'failure' });
    expect(plain.message).toBe(
      'repository rest:https://u:***@host:8000/ is read-only (restic backup cannot write its lock: read-only file system)',
    );
    const sandboxed = describeResticFailure({ ...repo, env: { OPENCLAW_BACKUP_UNIT: 'openclaw-backup.service' } }, 'backup', 1, line);
    expect(sandboxed.message).toMatch(
      /; the service openclaw-backup\.service runs sandboxed \(ProtectSystem=strict\) and writes only its ReadWritePaths: run `openclaw-backup service install` again/,
    );
    expect(sandboxHint({}, 'EROFS: read-only file system')).toBe('');
    expect(sandboxHint({ OPENCLAW_BACKUP_UNIT: 'x.service' }, 'EACCES: permission denied')).toBe('');
  });

  it('says which limit stopped a hung command, in the units it was set in', () => {
    const limits = { ...DEFAULT_RESTIC_LIMITS, commandTimeoutMs: 90_000, keyPath: 'backup.repository' };
    expect(hungError(repo, 'unlock', 'deadline', limits).message).toBe(
      'restic unlock on repository rest:https://u:***@host:8000/ did not finish within 90s (backup.repository.commandTimeout); stopped it',
    );
    expect(hungError(repo, 'backup', 'stalled', limits)).toMatchObject({
      kind: 'failure',
      message:
        'restic backup on repository rest:https://u:***@host:8000/ made no progress for 30m (backup.repository.stallTimeout); stopped it',
    });
    expect([formatDuration(1_500), formatDuration(7_200_000)]).toEqual(['1500ms', '2h']);
  });

  it('gives long commands a stall detector and short ones a deadline; only reads may go without a lock', () => {
    expect(['backup', 'restore', 'dump', 'check', 'prune'].map((c) => isLongCommand([c]))).toEqual([true, true, true, true, true]);
    expect(isLongCommand(['forget', '--prune', 'abc'])).toBe(true);
    expect(['unlock', 'snapshots', 'forget', 'cat', 'ls', 'stats', 'tag', 'version', 'init'].some((c) => isLongCommand([c]))).toBe(false);
    expect(['snapshots', 'ls', 'dump', 'restore', 'stats', 'cat', 'check'].every((c) => isReadCommand([c]))).toBe(true);
    expect(['backup', 'forget', 'unlock', 'init', 'tag', 'prune'].some((c) => isReadCommand([c]))).toBe(false);
  });

  it('a restore that could only not set ownership did its work; any other error fails it, naming the first file', () => {
    // restic 0.14 in a sandboxed user unit on systemd 253+ (PrivateUsers=): root-owned parents have an unmapped owner.
    const lchown = [
      'restoring <Snapshot 7c06fc7b of [/home/openclaw/.openclaw] at 2026-12-07 11:28:06 by openclaw@c> to /tmp/t',
      'ignoring error for /home: Lchown: lchown /tmp/t/home: invalid argument',
      'ignoring error for /home/openclaw: Lchown: lchown /tmp/t/home/openclaw: invalid argument',
      'Fatal: There were 2 errors',
      '',
    ].join('\n');
    expect(onlyOwnershipErrors(1, lchown)).toBe(true);
    const damaged = lchown.replace(
      '/home/openclaw: Lchown: lchown /tmp/t/home/openclaw: invalid argument',
      '/home/openclaw/x: ciphertext verification failed',
    );
    expect(onlyOwnershipErrors(1, damaged)).toBe(false);
    // Lines lost from the kept tail of stderr: the count no longer matches, so it is not taken as harmless.
    expect(onlyOwnershipErrors(1, lchown.replace(/^ignoring error for \/home: .*\n/m, ''))).toBe(false);
    expect(onlyOwnershipErrors(3, lchown)).toBe(false);
    expect(describeResticFailure(repo, 'restore', 1, damaged)).toMatchObject({
      kind: 'integrity',
      message: 'repository rest:https://u:***@host:8000/: restic restore: /home/openclaw/x: ciphertext verification failed (and 1 more)',
    });
  });
});
