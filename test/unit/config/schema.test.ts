import fs from 'node:fs';
import path from 'node:path';
import JSON5 from 'json5';
import { describe, expect, it } from 'vitest';
import { findBackupBlock, parseBackupBlock } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';
import { REPO_ROOT } from '../../helpers/fixture.js';

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('backup block schema', () => {
  it('fills every default', () => {
    expect(parseBackupBlock({})).toEqual({
      auto: false,
      schedule: '0 0 * * *',
      retention: 7,
      exclude: [],
      followLinks: [],
      compress: 'gzip',
      hookTimeout: 30 * 60 * 1000,
      quiesce: 'lock',
    });
  });

  it('followLinks: an array of non-empty paths, errors naming the key', () => {
    expect(parseBackupBlock({ followLinks: ['workspace/memory'] }).followLinks).toEqual(['workspace/memory']);
    expect(() => parseBackupBlock({ followLinks: 'workspace/memory' })).toThrow('backup.followLinks: expected an array of symlink paths');
    expect(() => parseBackupBlock({ followLinks: [''] })).toThrow('backup.followLinks[0]: expected a non-empty path');
  });

  it('normalises compress and hookTimeout', () => {
    expect(parseBackupBlock({ compress: false }).compress).toBe('none');
    expect(parseBackupBlock({ compress: 'zstd' }).compress).toBe('zstd');
    expect(parseBackupBlock({ hookTimeout: '90s' }).hookTimeout).toBe(90_000);
    expect(parseBackupBlock({ hookTimeout: 5 }).hookTimeout).toBe(5_000);
  });

  it('accepts a restic-style retention policy', () => {
    expect(parseBackupBlock({ retention: { keepDaily: 7, keepWeekly: 4 } }).retention).toEqual({ keepDaily: 7, keepWeekly: 4 });
  });

  it.each([
    [{ retention: -1 }, 'backup.retention: expected a positive integer, got -1'],
    [{ retention: 'seven' }, 'backup.retention: expected a positive integer or a policy object'],
    [{ retention: 1.5 }, 'backup.retention: expected a positive integer'],
    [{ retention: { keepDaily: -2 } }, 'backup.retention.keepDaily: expected a non-negative integer, got -2'],
    [{ retention: { keepEvery: 2 } }, 'backup.retention.keepEvery: unknown key'],
    [{ retention: { keepLast: 3, keepWeekly: 'four' } }, 'backup.retention.keepWeekly: expected a non-negative integer, got "four"'],
    [{ auto: 'yes' }, 'backup.auto: expected true or false, got "yes"'],
    [{ schedule: 'every night' }, 'backup.schedule: expected a valid cron expression'],
    [{ timezone: 'Mars/Olympus' }, 'backup.timezone: expected an IANA time zone name'],
    [{ compress: 'brotli' }, 'backup.compress: expected true, false, "gzip", "zstd" or "none", got "brotli"'],
    [{ include: 'config' }, 'backup.include: expected an array of component names or globs'],
    [{ exclude: [''] }, 'backup.exclude[0]: expected a non-empty string'],
    [{ hookTimeout: 'soon' }, 'backup.hookTimeout: expected a duration'],
    [{ postBackup: '' }, 'backup.postBackup: expected a non-empty shell command'],
    [{ quiesce: 'pause' }, 'backup.quiesce: expected "lock" or "stop", got "pause"'],
    [{ retension: 3 }, 'backup.retension: unknown key'],
    [
      { include: ['config', 'sesions'] },
      'backup.include[1]: unknown component "sesions" (did you mean "sessions"?); valid components: config,',
    ],
    [{ exclude: ['workspce'] }, 'backup.exclude[0]: unknown component "workspce" (did you mean "workspace"?)'],
    [{ exclude: ['/home/me/.openclaw/workspace/**'] }, 'backup.exclude[0]: glob "/home/me/.openclaw/workspace/**" is absolute'],
    [{ include: ['../elsewhere/*'] }, 'backup.include[0]: glob "../elsewhere/*" contains ".."'],
    [{ exclude: ['workspace/[draft'] }, 'backup.exclude[0]: glob "workspace/[draft" is not valid'],
  ])('rejects %j with the key path', (block, message) => {
    expect(errorOf(() => parseBackupBlock(block))).toContain(message);
  });

  it('accepts component names and globs in include/exclude', () => {
    const block = parseBackupBlock({
      include: ['config', 'workspace/**/*.md', 'agents/*/agent/*.json'],
      exclude: ['logs', '**/*.{tmp,bak}', '!keep'],
    });
    expect(block.include).toEqual(['config', 'workspace/**/*.md', 'agents/*/agent/*.json']);
  });

  it('never echoes a postBackup value in an error', () => {
    const message = errorOf(() => parseBackupBlock({ postBackup: 42 }));
    expect(message).toMatch(/^backup\.postBackup: /);
    expect(message).not.toContain('42');
  });

  it('uses the plugin key path when the block lives under plugins.entries', () => {
    const found = findBackupBlock({ plugins: { entries: { 'openclaw-backup': { config: { retention: 0 } } } } });
    expect(found.location).toBe('plugin');
    expect(errorOf(() => parseBackupBlock(found.raw, found.keyPrefix))).toMatch(
      /^plugins\.entries\["openclaw-backup"\]\.config\.retention: /,
    );
  });

  it('refuses a block configured in both places, naming both', () => {
    const message = errorOf(() => findBackupBlock({ backup: {}, plugins: { entries: { 'openclaw-backup': { config: {} } } } }));
    expect(message).toContain('top-level "backup"');
    expect(message).toContain('plugins.entries["openclaw-backup"].config');
  });

  it('validates config.example.json5', () => {
    const example = JSON5.parse(fs.readFileSync(path.join(REPO_ROOT, 'config.example.json5'), 'utf8')) as Record<string, unknown>;
    const found = findBackupBlock(example);
    expect(found.location).toBe('plugin');
    const block = parseBackupBlock(found.raw, found.keyPrefix);
    expect(block.auto).toBe(true);
    expect(block.compress).toBe('zstd');
  });
});

describe('monitor, onFailure, metricsFile', () => {
  it('a ping URL string becomes { url, start: true, timeout: 10 s }; the object form sets both', () => {
    expect(parseBackupBlock({ monitor: 'https://hc-ping.com/abc' }).monitor).toEqual({
      url: 'https://hc-ping.com/abc',
      start: true,
      timeout: 10_000,
    });
    expect(parseBackupBlock({ monitor: { url: 'http://127.0.0.1:8000/p', start: false, timeout: '2s' } }).monitor).toEqual({
      url: 'http://127.0.0.1:8000/p',
      start: false,
      timeout: 2000,
    });
    expect(
      parseBackupBlock({ metricsFile: '~/textfile/openclaw.prom', onFailure: 'curl -d "$OPENCLAW_BACKUP_ERROR" ntfy.sh/x' }),
    ).toMatchObject({ metricsFile: '~/textfile/openclaw.prom' });
  });

  it.each([
    [
      { monitor: 'hc-ping.com/abc-secret-uuid' },
      'backup.monitor: expected an http:// or https:// URL without user:password@, e.g. "https://hc-ping.com/<uuid>"',
    ],
    [{ monitor: 42 }, 'backup.monitor: expected a ping URL such as "https://hc-ping.com/<uuid>", or { url, start, timeout }'],
    [{ monitor: { url: 'ftp://x/abc-secret-uuid' } }, 'backup.monitor.url: expected an http:// or https:// URL without user:password@'],
    [
      { monitor: { url: 'https://u:abc-secret-uuid@x/' } },
      'backup.monitor.url: expected an http:// or https:// URL without user:password@',
    ],
    [{ monitor: { url: 'https://x/abc-secret-uuid', every: 1 } }, 'backup.monitor.every: unknown key'],
    [{ monitor: { url: 'https://x/abc-secret-uuid', timeout: 'soon' } }, 'backup.monitor.timeout: expected a duration'],
    [{ onFailure: '' }, 'backup.onFailure: expected a non-empty shell command'],
    [{ metricsFile: '/var/lib/node_exporter/openclaw.txt' }, 'backup.metricsFile: expected a file path ending in .prom'],
  ])('rejects %j with the key path and never echoes the URL', (block, message) => {
    const error = errorOf(() => parseBackupBlock(block));
    expect(error).toContain(message);
    expect(error).not.toContain('abc-secret-uuid');
  });
});
