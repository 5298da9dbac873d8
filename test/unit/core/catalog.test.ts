import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { resolveStatePaths } from '../../../src/config/paths.js';
import { createBackup } from '../../../src/core/backup/create.js';
import { listRows } from '../../../src/cli/list-rows.js';
import { listArchives } from '../../../src/core/store/catalog.js';
import { pruneBackups } from '../../../src/core/retention/prune.js';
import { folderStore } from '../../../src/core/store/folder-store.js';
import { generateAgeKey } from '../../helpers/age.js';
import { makeTempDir, writeTree } from '../../helpers/fixture.js';

async function makeArchive(home: string, profile: string, backupDir: string, compress: string, at: Date): Promise<string> {
  const stateDir = path.join(home, profile === 'default' ? '.openclaw' : `.openclaw-${profile}`);
  writeTree(stateDir, {
    'openclaw.json': JSON.stringify({ plugins: { entries: { 'openclaw-backup': { config: { path: backupDir, compress } } } } }),
    'workspace/MEMORY.md': `notes of ${profile}`,
  });
  const paths = resolveStatePaths({ profile, env: { HOME: home } });
  const config = await loadConfig(paths);
  const result = await createBackup({ paths, config, now: () => at });
  return result.archive as string;
}

describe('listArchives / pruneBackups on a folder store', () => {
  it('counts only our archives for this state dir and profile, recognised by the header inside', async () => {
    const home = makeTempDir();
    const dir = path.join(home, 'shared-backups');
    const mine = [
      await makeArchive(home, 'default', dir, 'gzip', new Date('2026-01-01T00:00:00Z')),
      await makeArchive(home, 'default', dir, 'zstd', new Date('2026-01-02T00:00:00Z')),
      await makeArchive(home, 'default', dir, 'none', new Date('2026-01-03T00:00:00Z')),
    ];
    const other = await makeArchive(home, 'work', dir, 'gzip', new Date('2026-01-04T00:00:00Z'));
    // Another profile's archive renamed to look like ours: the header says otherwise.
    const disguised = path.join(dir, 'openclaw-backup-default-20260105T000000Z.tar.gz');
    fs.copyFileSync(other, disguised);
    writeTree(dir, {
      'notes.txt': 'keep me',
      'openclaw-backup-default-20260106T000000Z.tar.gz': 'not a gzip at all',
      'openclaw-backup-default-20260107T000000Z.tar.gz.123-abcd.partial': 'half written',
      'other-tool.tar': Buffer.alloc(1024),
      'openclaw-backup-default-20260108T000000Z.tar.gz.age': 'age-encryption.org/v1\n-> X25519 xyz\n',
      'openclaw-backup-work-20260109T000000Z.tar.gz.age': 'age-encryption.org/v1\n',
    });

    const catalog = await listArchives({ dir, stateDir: path.join(home, '.openclaw'), profile: 'default' });
    expect(catalog.archives.map((a) => path.basename(a.archive))).toEqual([
      'openclaw-backup-default-20260108T000000Z.tar.gz.age',
      ...[...mine].reverse().map((a) => path.basename(a)),
    ]);
    expect(catalog.archives[0]).toMatchObject({
      encrypted: true,
      components: null,
      recognisedBy: 'name',
      createdAt: '2026-01-08T00:00:00.000Z',
    });
    expect(catalog.archives[1]).toMatchObject({
      encrypted: false,
      profile: 'default',
      recognisedBy: 'header',
      createdAt: '2026-01-03T00:00:00.000Z',
    });
    expect(catalog.archives[1]?.components).toContain('memory');
    const ignored = Object.fromEntries(catalog.ignored.map((i) => [path.basename(i.file), i.reason]));
    expect(ignored['openclaw-backup-default-20260105T000000Z.tar.gz']).toBe('profile work');
    expect(ignored['openclaw-backup-default-20260106T000000Z.tar.gz']).toMatch(/not a tar/);
    expect(ignored['other-tool.tar']).toMatch(/not a tar|first entry/);

    const result = await pruneBackups(folderStore({ dir, stateDir: path.join(home, '.openclaw'), profile: 'default' }), { retention: 2 });
    expect(result.removed.map((r) => path.basename(r.archive))).toEqual(
      mine
        .slice(0, 2)
        .reverse()
        .map((a) => path.basename(a)),
    );
    const left = fs.readdirSync(dir).sort();
    for (const name of ['notes.txt', 'other-tool.tar', path.basename(other), path.basename(disguised), path.basename(mine[2] as string)])
      expect(left).toContain(name);
    expect(left).toContain('openclaw-backup-default-20260107T000000Z.tar.gz.123-abcd.partial');
    expect(left).toContain('openclaw-backup-work-20260109T000000Z.tar.gz.age');
    expect(left).not.toContain(path.basename(mine[0] as string));
  });

  it('dry run deletes nothing; the newest and protected archives always stay', async () => {
    const home = makeTempDir();
    const dir = path.join(home, '.openclaw', 'backups');
    const a = await makeArchive(home, 'default', dir, 'gzip', new Date('2026-01-01T00:00:00Z'));
    const b = await makeArchive(home, 'default', dir, 'gzip', new Date('2026-02-01T00:00:00Z'));
    const c = await makeArchive(home, 'default', dir, 'gzip', new Date('2026-03-01T00:00:00Z'));
    const base = { dir, stateDir: path.join(home, '.openclaw'), profile: 'default' };
    const dry = await pruneBackups(folderStore(base), { retention: 1, dryRun: true });
    expect(dry.removed.map((r) => r.archive)).toEqual([b, a]);
    expect(fs.existsSync(a) && fs.existsSync(b)).toBe(true);
    const real = await pruneBackups(folderStore(base), { retention: 1, protect: [a] });
    expect(real.removed.map((r) => r.archive)).toEqual([b]);
    expect(real.kept.map((k) => [k.archive, k.reasons])).toEqual([
      [c, ['last']],
      [a, ['protected']],
    ]);
  });

  it('an absent backups dir is an empty list', async () => {
    const home = makeTempDir();
    const catalog = await listArchives({ dir: path.join(home, 'nope'), stateDir: home, profile: 'default' });
    expect(catalog.archives).toEqual([]);
  });

  it('of two backups in one second, an encrypted one made after a plain one is the newest (its time has no milliseconds): in the catalog, in list, for retention', async () => {
    const home = makeTempDir();
    const paths = resolveStatePaths({ env: { HOME: home } });
    writeTree(paths.stateDir, { 'openclaw.json': '{}', 'workspace/MEMORY.md': 'notes' });
    const config = await loadConfig(paths);
    const { recipient } = generateAgeKey(home);
    const plain = await createBackup({ paths, config, now: () => new Date('2026-06-01T12:00:00.400Z') });
    const sealed = await createBackup({
      paths,
      config,
      now: () => new Date('2026-06-01T12:00:00.700Z'),
      encrypt: { recipients: [recipient] },
    });
    expect(path.basename(sealed.archive as string)).toBe('openclaw-backup-default-20260601T120000Z-1.tar.gz.age');
    const catalog = await listArchives({ dir: config.backupDir, stateDir: paths.stateDir, profile: paths.profile });
    expect(catalog.archives.map((a) => a.archive)).toEqual([sealed.archive, plain.archive]);
    // `list` shows them in that order too, and retention counts the sealed one as the newest.
    const store = folderStore({ dir: config.backupDir, stateDir: paths.stateDir, profile: paths.profile });
    const rows = listRows(await store.list(), { stateId: undefined, profile: paths.profile, record: undefined });
    expect(rows.map((r) => r.backup.archive)).toEqual([sealed.archive, plain.archive]);
    const pruned = await pruneBackups(store, { retention: 1 });
    expect(pruned.kept.map((b) => b.archive)).toEqual([sealed.archive]);
    expect(pruned.removed.map((b) => b.archive)).toEqual([plain.archive]);
  });
});
