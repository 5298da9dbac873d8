import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNeverArchived } from '../../src/core/components.js';
import { countRows, listFiles, makeTempDir, unpackFixture } from '../helpers/fixture.js';
import { callCli } from '../helpers/cli-in-process.js';

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const isSqlite = (file: string) => fs.readFileSync(file).subarray(0, 16).toString('latin1') === 'SQLite format 3\0';

describe('create on the real OpenClaw 2026.9.6 fixture', () => {
  let home: string;
  let stateDir: string;
  let archive: string;
  let json: Record<string, unknown>;
  let extracted: string;

  beforeAll(async () => {
    home = makeTempDir();
    stateDir = unpackFixture(home);
    const result = await callCli(['create', '--json'], { env: { HOME: home } });
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    json = JSON.parse(result.stdout) as Record<string, unknown>;
    archive = json.archive as string;
    extracted = makeTempDir();
    execFileSync('tar', ['-C', extracted, '-xzf', archive]);
  });

  afterAll(() => {
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(extracted, { recursive: true, force: true });
  });

  it('writes a 0600 archive in a 0700 <stateDir>/backups with a sortable name', () => {
    expect(path.dirname(archive)).toBe(path.join(stateDir, 'backups'));
    expect(path.basename(archive)).toMatch(/^openclaw-backup-default-\d{8}T\d{6}Z\.tar\.gz$/);
    expect(fs.statSync(archive).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(archive)).mode & 0o777).toBe(0o700);
    expect(json).toMatchObject({ bytes: fs.statSync(archive).size, sha256: sha(archive) });
    expect(json.components).toEqual(['config', 'credentials', 'sessions', 'memory', 'workspace', 'logs', 'state']);
    expect(typeof json.durationMs).toBe('number');
  });

  it('is listed by GNU tar with the header first and the manifest last', () => {
    const names = execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).trim().split('\n');
    expect(names[0]).toBe('openclaw-backup/header.json');
    expect(names.at(-1)).toBe('openclaw-backup/manifest.json');
    expect(names).toContain('openclaw-backup/state/openclaw.json');
  });

  it('extracts with GNU tar to byte-identical copies of every regular non-database file', () => {
    const source = listFiles(stateDir).filter(
      (rel) => !rel.startsWith('backups/') && !isNeverArchived(rel) && !isSqlite(path.join(stateDir, rel)),
    );
    const restored = path.join(extracted, 'openclaw-backup', 'state');
    expect(source.length).toBeGreaterThan(20);
    for (const rel of source) {
      expect(sha(path.join(restored, rel)), rel).toBe(sha(path.join(stateDir, rel)));
    }
  });

  it('leaves out WAL/SHM files, lock coordinators and tmp/', () => {
    const all = listFiles(path.join(extracted, 'openclaw-backup', 'state'));
    expect(all.filter((rel) => /-(wal|shm)$|lock\.sqlite$|generation-writer|^tmp\//.test(rel))).toEqual([]);
  });

  it('stores databases as snapshots that pass integrity_check with the source row counts', async () => {
    const db = path.join(extracted, 'openclaw-backup', 'state', 'agents', 'main', 'agent', 'openclaw-agent.sqlite');
    expect(await countRows(db, 'session_nodes')).toBe(2);
    expect(await countRows(db, 'transcript_events')).toBe(20);
    const { DatabaseSync } = await import('node:sqlite');
    for (const rel of ['agents/main/agent/openclaw-agent.sqlite', 'state/openclaw.sqlite', 'state/openclaw-quarantine.sqlite']) {
      const handle = new DatabaseSync(path.join(extracted, 'openclaw-backup', 'state', rel), { readOnly: true });
      expect((handle.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check).toBe('ok');
      handle.close();
    }
    // The state DB's WAL held 20,632 bytes of un-checkpointed pages; the snapshot must contain them.
    const state = new DatabaseSync(path.join(extracted, 'openclaw-backup', 'state', 'state', 'openclaw.sqlite'), { readOnly: true });
    const source = new DatabaseSync(path.join(stateDir, 'state', 'openclaw.sqlite'), { readOnly: true });
    const q = 'SELECT count(*) AS n FROM audit_events';
    expect(state.prepare(q).get()).toEqual(source.prepare(q).get());
    state.close();
    source.close();
  });

  it('records every file with size, mode and SHA-256 in the manifest, and external symlinks', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(extracted, 'openclaw-backup', 'manifest.json'), 'utf8')) as {
      entries: Array<{ path: string; type: string; size?: number; sha256?: string; component: string; sqlite?: unknown }>;
      externalSymlinks: string[];
      openclawVersion: string;
      totals: { files: number; databases: number };
    };
    expect(manifest.openclawVersion).toBe('2026.9.6');
    expect(manifest.totals.databases).toBe(3);
    for (const entry of manifest.entries.filter((e) => e.type === 'file')) {
      expect(sha(path.join(extracted, entry.path)), entry.path).toBe(entry.sha256);
    }
    expect(manifest.externalSymlinks).toEqual([
      'openclaw-backup/state/plugin-skills/browser-automation',
      'openclaw-backup/state/plugin-skills/canvas',
    ]);
    expect(fs.readlinkSync(path.join(extracted, 'openclaw-backup/state/plugin-skills/canvas'))).toMatch(/^\/home\/openclaw\//);
    expect(manifest.entries.find((e) => e.path.endsWith('/state/openclaw.sqlite'))).toMatchObject({
      component: 'credentials',
      sqlite: { snapshot: true },
    });
  });

  it('verifies with `verify` and with `create --verify`', async () => {
    const verify = await callCli(['verify', archive], { env: { HOME: home } });
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^ok: /);
    const again = await callCli(['create', '--verify', '--compress', 'zstd', '--json'], { env: { HOME: home } });
    expect(again.code).toBe(0);
    const second = JSON.parse(again.stdout) as { archive: string; verified: boolean };
    expect(second.verified).toBe(true);
    expect(second.archive).toMatch(/\.tar\.zst$/);
    expect(execFileSync('tar', ['--zstd', '-tf', second.archive], { encoding: 'utf8' })).toContain('openclaw-backup/state/openclaw.json');
  });

  it('--only config,workspace takes just those components', async () => {
    const out = path.join(home, 'only.tar');
    const result = await callCli(['create', '--only', 'config,workspace', '--compress', 'none', '--output', out, '--json'], {
      env: { HOME: home },
    });
    expect(result.code).toBe(0);
    const names = execFileSync('tar', ['-tf', out], { encoding: 'utf8' });
    expect(names).toContain('openclaw-backup/state/openclaw.json.bak.1');
    expect(names).toContain('openclaw-backup/state/workspace/SOUL.md');
    expect(names).not.toContain('workspace/MEMORY.md');
    expect(names).not.toContain('.sqlite');
    expect(names).not.toContain('fingerprint.key');
  });

  it('--dry-run prints the plan and writes nothing', async () => {
    const before = fs.readdirSync(path.join(stateDir, 'backups')).sort();
    const result = await callCli(['create', '--dry-run'], { env: { HOME: home } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Dry run: would archive \d+ files, \d+ directories, 2 symlinks \(2\.\d MiB\) from components: config, credentials/,
    );
    expect(fs.readdirSync(path.join(stateDir, 'backups')).sort()).toEqual(before);
  });
});
